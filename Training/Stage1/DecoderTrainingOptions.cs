using RAE.Grid.Models.Decoders;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// Stage-1 decoder training settings (official <c>configs/stage1/training/*.yaml</c>, <c>src/train_stage1.py</c>).
/// Defaults are the official values where they apply; <see cref="Decoder"/> defaults to the project's toy decoder
/// (width 128, 4 layers, 4 heads, MLP 512). The encoder side (input size, noise τ and its σ distribution) comes from
/// the <see cref="Models.Rae.RaeEncoderOptions"/> of the encoder passed to <see cref="DecoderTraining"/>.
/// </summary>
/// <param name="Decoder">Decoder architecture (ViTMAE-config fields; hidden size, patch and image size are set by ForRae).</param>
/// <param name="DecoderPatchSize">Decoder patch size (official 16; 7 for 28×28 images on a 4×4 token grid).</param>
/// <param name="Epochs">Training epochs (official 16).</param>
/// <param name="BatchSize">Images per step (official 512).</param>
/// <param name="Lr">Peak learning rate of G and D (official 2e-4).</param>
/// <param name="FinalLr">Learning rate at the end of the cosine decay (official 2e-5).</param>
/// <param name="WarmupEpochs">Linear warmup from 0 (official 1 epoch).</param>
/// <param name="Beta1">AdamW β1 (0.9).</param>
/// <param name="Beta2">AdamW β2 (0.95).</param>
/// <param name="WeightDecay">AdamW weight decay (0).</param>
/// <param name="EmaDecay">EMA decay of the exported weights (official 0.9978).</param>
/// <param name="PerceptualWeight">Weight of the perceptual term (official LPIPS weight 1.0; here <see cref="EncoderFeatureLoss"/>); 0 disables it.</param>
/// <param name="UseGan">Enables the discriminator and the GAN term (official: on; default off at toy scale).</param>
/// <param name="DiscWeight">Factor on λ·L_G (official 0.75).</param>
/// <param name="DiscStart">Epoch (fractional allowed) from which D is updated (official 6).</param>
/// <param name="GanStart">Epoch (fractional allowed) from which the GAN term enters the G loss (official 8).</param>
/// <param name="DiscVirtualBatch">BatchNormLocal's virtual batch size (official 8).</param>
/// <param name="Seed">Seed of decoder/discriminator init, batch order, noise augmentation and DiffAug.</param>
/// <param name="ExportFp16">Store the exported model.safetensors in fp16 (else fp32).</param>
public sealed record DecoderTrainingOptions(
    DecoderConfig? Decoder = null,
    int DecoderPatchSize = 7,
    int Epochs = 16,
    int BatchSize = 128,
    double Lr = 2e-4,
    double FinalLr = 2e-5,
    double WarmupEpochs = 1,
    double Beta1 = 0.9,
    double Beta2 = 0.95,
    double WeightDecay = 0,
    double EmaDecay = 0.9978,
    double PerceptualWeight = 1.0,
    bool UseGan = false,
    double DiscWeight = 0.75,
    double DiscStart = 6,
    double GanStart = 8,
    int DiscVirtualBatch = 8,
    long Seed = 0,
    bool ExportFp16 = false)
{
    /// <summary>The project's toy decoder: width 128, 4 layers, 4 heads, MLP 512.</summary>
    public static DecoderConfig ToyDecoder => new(128, 4, 4, 512);

    /// <summary>The decoder architecture in use (<see cref="ToyDecoder"/> when unset).</summary>
    public DecoderConfig DecoderArchitecture => Decoder ?? ToyDecoder;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field; returns this otherwise.</summary>
    public DecoderTrainingOptions Validate()
    {
        static void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"decoder training: {field} {rule}, got {value}", field);
        }
        static bool Finite(double v) => double.IsFinite(v);
        DecoderArchitecture.Validated();
        Check(DecoderPatchSize > 0, "decoder_patch_size", DecoderPatchSize, "must be > 0");
        Check(Epochs > 0, "epochs", Epochs, "must be > 0");
        Check(BatchSize > 0, "batch_size", BatchSize, "must be > 0");
        Check(Finite(Lr) && Lr > 0, "lr", Lr, "must be > 0");
        Check(Finite(FinalLr) && FinalLr >= 0, "final_lr", FinalLr, "must be >= 0");
        Check(Finite(WarmupEpochs) && WarmupEpochs >= 0 && WarmupEpochs <= Epochs, "warmup_epochs", WarmupEpochs, "must be in [0, epochs]");
        Check(Beta1 is >= 0 and < 1, "beta1", Beta1, "must be in [0, 1)");
        Check(Beta2 is >= 0 and < 1, "beta2", Beta2, "must be in [0, 1)");
        Check(Finite(WeightDecay) && WeightDecay >= 0, "weight_decay", WeightDecay, "must be >= 0");
        Check(EmaDecay is >= 0 and < 1, "ema_decay", EmaDecay, "must be in [0, 1)");
        Check(Finite(PerceptualWeight) && PerceptualWeight >= 0, "perceptual_weight", PerceptualWeight, "must be >= 0");
        Check(Finite(DiscWeight) && DiscWeight >= 0, "disc_weight", DiscWeight, "must be >= 0");
        Check(Finite(DiscStart) && DiscStart >= 0, "disc_start", DiscStart, "must be >= 0");
        Check(Finite(GanStart) && GanStart >= 0, "gan_start", GanStart, "must be >= 0");
        Check(DiscVirtualBatch > 0, "disc_virtual_batch", DiscVirtualBatch, "must be > 0");
        return this;
    }
}
