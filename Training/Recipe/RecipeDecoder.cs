using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Training.Recipe;

/// <summary>
/// The decoder (stage 1) section: the decoder's ViTMAE-style config.json (as configs/decoder/ViT-*/config.json) and
/// the official stage-1 recipe's fields (rae-reference §2.2), at toy scale.
/// </summary>
public sealed record RecipeDecoder
{
    /// <summary>Decoder config JSON (decoder_hidden_size, decoder_num_hidden_layers, ...).</summary>
    public JsonObject Config { get; init; } = new() { ["model_type"] = "vit_mae" };
    /// <summary>Decoder patch size in pixels (official: 16; image side = patch · latent grid side).</summary>
    public int DecoderPatchSize { get; init; } = 16;
    /// <summary>Epochs (official: 16).</summary>
    public int Epochs { get; init; } = 16;
    /// <summary>Images per step (official: 512).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Peak learning rate (official: 2e-4).</summary>
    public double Lr { get; init; } = 2e-4;
    /// <summary>Learning rate at the end of the cosine (official: 2e-5).</summary>
    public double FinalLr { get; init; } = 2e-5;
    /// <summary>Linear warmup from 0 (official: 1 epoch).</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>EMA decay per step (official: 0.9978).</summary>
    public double EmaDecay { get; init; } = 0.9978;
    /// <summary>Weight of the perceptual term (frozen-encoder feature distance standing in for LPIPS).</summary>
    public double PerceptualWeight { get; init; } = 1.0;
    /// <summary>Train with the GAN term (discriminator heads on frozen encoder features).</summary>
    public bool UseGan { get; init; }
    /// <summary>Weight of the adaptive GAN term (official: 0.75).</summary>
    public double DiscWeight { get; init; } = 0.75;
    /// <summary>Epoch the discriminator starts training (official: 6).</summary>
    public double DiscStart { get; init; } = 6;
    /// <summary>Epoch the GAN term enters the generator loss (official: 8).</summary>
    public double GanStart { get; init; } = 8;
    /// <summary>Noise augmentation τ (official: 0.8).</summary>
    public double NoiseTau { get; init; } = 0.8;
    /// <summary>σ distribution: uniform (σ = τ·U(0,1), the official code) or half_normal (|N(0,τ²)|, the papers).</summary>
    public NoiseSigmaDistribution NoiseSigma { get; init; } = NoiseSigmaDistribution.Uniform;

    /// <summary>The decoder architecture.</summary>
    public DecoderConfig Architecture() => DecoderConfig.FromJson(Config.ToJsonString(), "decoder.config");

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        // The config's errors name it "decoder.config" already.
        try { Architecture(); }
        catch (ConfigFieldException e) { throw new ArgumentException(e.Message, e); }
        if (NoiseTau < 0) throw new ArgumentException($"decoder.noise_tau must be >= 0, got {NoiseTau}");
        try { ToOptions(0).Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"decoder.{e.ParamName ?? ""}: {e.Message}", e); }
    }

    /// <summary>The options of <see cref="Stage1.DecoderTraining"/>.</summary>
    public Stage1.DecoderTrainingOptions ToOptions(long seed, bool float16 = false) => new(
        Decoder: Architecture(), DecoderPatchSize: DecoderPatchSize, Epochs: Epochs, BatchSize: BatchSize, Lr: Lr,
        FinalLr: FinalLr, WarmupEpochs: WarmupEpochs, EmaDecay: EmaDecay, PerceptualWeight: PerceptualWeight,
        UseGan: UseGan, DiscWeight: DiscWeight, DiscStart: DiscStart, GanStart: GanStart, Seed: seed, ExportFp16: float16);
}
