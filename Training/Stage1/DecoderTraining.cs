using RAE.Grid.Training.Data;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Rae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// Stage-1 decoder training, the official <c>src/train_stage1.py</c> at toy scale. The frozen encoder is an
/// <see cref="RaeEncoder"/> (wrapping <c>MAEwNorm</c>) put in training mode only so its noise augmentation runs
/// (τ and the σ distribution come from its <see cref="RaeEncoderOptions"/>; its <see cref="RaeEncoder.NoiseGenerator"/>
/// is seeded per step). The latent is <see cref="RaeEncoder.EncodeRaw"/>: the raw tokens, because the latent
/// statistics normalization of <c>RAE.encode</c> is undone first thing in <c>RAE.decode</c>, so the decoder never
/// sees it. Images come out through <see cref="RaeDecoder"/> (identity stats: unpatchify + pixel denormalization),
/// the same path inference uses.
/// </summary>
/// <remarks>
/// Loss = L1 + w_p·<see cref="EncoderFeatureLoss"/> (+ DiscWeight·λ·L_G once <c>gan_start</c> is reached, with
/// <see cref="AdaptiveWeight"/> on <c>decoder_pred.weight</c>); the discriminator is updated from <c>disc_start</c>
/// with the hinge loss on DiffAug'd real images and fakes re-decoded by the updated generator, clamped and
/// quantized to 8 bits. AdamW (G and D alike), <see cref="CosineWithWarmup"/> per step, EMA, no gradient clipping.
/// Data: <see cref="EpochBatches"/> without flips (the official recipe has none); the official random crop does not
/// apply to 28×28 images, which are used whole. A resumable checkpoint is written at the end of every epoch and on
/// cancellation.
/// </remarks>
public sealed class DecoderTraining : IDisposable
{
    /// <summary>Phase name reported through <see cref="TrainingProgress"/>.</summary>
    public const string Phase = "decoder";

    readonly RaeEncoder _encoder;
    readonly EncoderFeatureLoss? _perceptual;
    readonly Ema _ema;
    readonly Generator _noiseGenerator;
    readonly Generator _augmentGenerator;

    /// <summary>The validated options.</summary>
    public DecoderTrainingOptions Options { get; }
    /// <summary>The trained decoder (the generator).</summary>
    public GeneralDecoder Decoder { get; }
    /// <summary>The EMA copy of <see cref="Decoder"/>, which is what gets exported.</summary>
    public GeneralDecoder EmaDecoder { get; }
    /// <summary>The discriminator (null unless <see cref="DecoderTrainingOptions.UseGan"/>).</summary>
    public EncoderFeatureDiscriminator? Discriminator { get; }
    /// <summary>Decodes raw latents with <see cref="Decoder"/> as inference does.</summary>
    public RaeDecoder Images { get; }
    /// <summary>AdamW of the decoder.</summary>
    public optim.Optimizer DecoderOptimizer { get; }
    /// <summary>AdamW of the discriminator heads (null without GAN).</summary>
    public optim.Optimizer? DiscriminatorOptimizer { get; }

    /// <summary>
    /// Builds decoder, EMA, perceptual loss and (optionally) discriminator for <paramref name="encoder"/>. Seeds
    /// torch's global generator with the options' seed so initial weights are reproducible.
    /// </summary>
    public DecoderTraining(RaeEncoder encoder, DecoderTrainingOptions options)
    {
        Options = options.Validate();
        _encoder = encoder;
        foreach (var p in encoder.parameters()) p.requires_grad = false;
        var device = encoder.parameters().First().device;
        var representation = encoder.RepresentationEncoder;
        var config = Architecture(encoder, Options);

        random.manual_seed(Options.Seed);
        Decoder = new GeneralDecoder(config);
        Decoder.to(device);
        EmaDecoder = new GeneralDecoder(config);
        EmaDecoder.to(device);
        EmaDecoder.eval();
        foreach (var p in EmaDecoder.parameters()) p.requires_grad = false;
        _ema = new Ema(Decoder, EmaDecoder, Options.EmaDecay);
        Images = new RaeDecoder(Decoder, LatentStats.Identity, representation.PixelNormalization);

        var adamw = new AdamWSettings(Options.Lr, Options.Beta1, Options.Beta2, Options.WeightDecay);
        DecoderOptimizer = adamw.Create(Decoder.parameters().Where(p => p.requires_grad));
        if (Options.PerceptualWeight > 0 || Options.UseGan)
        {
            var features = new FrozenMaeFeatures(encoder);
            if (Options.PerceptualWeight > 0) _perceptual = new EncoderFeatureLoss(features);
            if (Options.UseGan)
            {
                Discriminator = new EncoderFeatureDiscriminator(features, Options.DiscVirtualBatch);
                Discriminator.to(device);
                DiscriminatorOptimizer = adamw.Create(Discriminator.parameters());
            }
        }
        _noiseGenerator = new Generator((ulong)Options.Seed, device);
        _augmentGenerator = new Generator((ulong)Options.Seed, device);
    }

    /// <summary>
    /// The CLI's entry point: trains a decoder for <paramref name="encoder"/> on <paramref name="data"/>, resuming
    /// from <c>&lt;work&gt;/decoder/checkpoint.safetensors</c> when present, and writes
    /// <c>&lt;out&gt;/decoder/{config.json, model.safetensors}</c>.
    /// </summary>
    public static DecoderTrainingResult Run(RaeEncoder encoder, LabeledImages data, DecoderTrainingOptions options,
        string workDir, string outDir, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var training = new DecoderTraining(encoder, options);
        return training.Train(data, workDir, outDir, progress, cancellation);
    }

    /// <summary>The checkpoint path under a work folder.</summary>
    public static string CheckpointPath(string workDir) => Path.Combine(workDir, "decoder", "checkpoint.safetensors");

    Dictionary<string, nn.Module> CheckpointModules()
    {
        var modules = new Dictionary<string, nn.Module> { ["decoder"] = Decoder, ["ema"] = EmaDecoder };
        if (Discriminator is not null) modules["discriminator"] = Discriminator;
        return modules;
    }

    Dictionary<string, optim.Optimizer> CheckpointOptimizers()
    {
        var optimizers = new Dictionary<string, optim.Optimizer> { ["optimizer"] = DecoderOptimizer };
        if (DiscriminatorOptimizer is not null) optimizers["optimizer_disc"] = DiscriminatorOptimizer;
        return optimizers;
    }

    /// <summary>
    /// Trains to <see cref="DecoderTrainingOptions.Epochs"/> (resuming if a checkpoint exists), then exports the EMA
    /// decoder. On cancellation the checkpoint is saved and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public DecoderTrainingResult Train(LabeledImages data, string workDir, string outDir,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var batches = new EpochBatches(data, Options.BatchSize, Options.Seed, horizontalFlip: false, dropLast: true);
        long perEpoch = batches.BatchesPerEpoch;
        if (perEpoch <= 0) throw new ArgumentException($"{data.Count} images give no full batch of {Options.BatchSize}");
        long total = perEpoch * Options.Epochs;
        var schedule = new CosineWithWarmup(Options.Lr, (long)Math.Round(Options.WarmupEpochs * perEpoch), total, Options.FinalLr);
        var checkpoint = CheckpointPath(workDir);
        var metadata = new Dictionary<string, string> { ["batches_per_epoch"] = perEpoch.ToString(), ["epochs"] = Options.Epochs.ToString() };
        // The fingerprint holds the data and batch size, so a checkpoint of another epoch length is refused with them.
        var fingerprint = Fingerprint(_encoder, Options, data);

        long step = 0;
        if (File.Exists(checkpoint)) step = TrainingCheckpoint.Load(checkpoint, CheckpointModules(), CheckpointOptimizers(), fingerprint).Step;
        void Save() => TrainingCheckpoint.Save(checkpoint, step, CheckpointModules(), CheckpointOptimizers(), metadata, fingerprint);

        var l1History = new List<double>();
        Decoder.train();
        Discriminator?.train();
        try
        {
            for (int epoch = (int)(step / perEpoch); epoch < Options.Epochs; epoch++)
            {
                foreach (var batch in batches.Epoch(epoch, (int)(step - epoch * perEpoch)))
                {
                    using (batch)
                    {
                        if (cancellation.IsCancellationRequested) { Save(); cancellation.ThrowIfCancellationRequested(); }
                        var lr = schedule.At(step);
                        var metrics = Step(batch.Images, step, perEpoch, lr);
                        step++;
                        l1History.Add(metrics["l1"]);
                        progress?.Report(new TrainingProgress(Phase, step, total, metrics));
                    }
                }
                Save();
            }
        }
        finally { _encoder.eval(); }
        var (configPath, weightsPath) = Export(EmaDecoder, outDir, Options.ExportFp16);
        return new DecoderTrainingResult(step, l1History, configPath, weightsPath);
    }

    /// <summary>
    /// What the checkpoint must have been trained from to be resumed: the decoder as built (<c>decoder_architecture</c>:
    /// the config after RAE's overrides of hidden, patch and image size), every other option except
    /// <c>export_fp16</c>, the frozen encoder's options (input size, noise τ and σ distribution), and the training
    /// images (<see cref="TrainingFingerprint.Data"/>). The encoder's weights are not in it: in a recipe its own stage
    /// marker refuses a changed encoder before this stage runs.
    /// </summary>
    public static TrainingFingerprint Fingerprint(RaeEncoder encoder, DecoderTrainingOptions options, LabeledImages data) =>
        TrainingFingerprint.Of(options)
            .Without("export_fp16", "decoder", "decoder_architecture")
            .With("decoder_architecture", Architecture(encoder, options).ToJson())
            .With("encoder", encoder.Options)
            .With("data", TrainingFingerprint.Data(data));

    static DecoderConfig Architecture(RaeEncoder encoder, DecoderTrainingOptions options) =>
        options.DecoderArchitecture.ForRae(encoder.RepresentationEncoder.HiddenSize,
            encoder.LatentGridSize * encoder.LatentGridSize, options.DecoderPatchSize);

    /// <summary>One G step (and D step when due) on [B,3,H,W] images in [0,1]; returns the step's metrics.</summary>
    public Dictionary<string, double> Step(Tensor images, long step, long batchesPerEpoch, double lr)
    {
        using var scope = NewDisposeScope();
        var epochPosition = step / (double)batchesPerEpoch;
        var ganActive = Discriminator is not null && epochPosition >= Options.GanStart;
        var discActive = Discriminator is not null && epochPosition >= Options.DiscStart;
        LrSchedules.Apply(DecoderOptimizer, lr);
        if (DiscriminatorOptimizer is not null) LrSchedules.Apply(DiscriminatorOptimizer, lr);
        // Per-step seeds make the random draws a function of (seed, step), so a resumed run repeats them exactly.
        _noiseGenerator.manual_seed(StepSeed(step, 1));
        _augmentGenerator.manual_seed(StepSeed(step, 2));

        var device = Decoder.decoder_pred.weight!.device;
        var x = images.to(device);
        Tensor z;
        _encoder.NoiseGenerator = _noiseGenerator;
        _encoder.train(); // only for the noise augmentation: the frozen ViT has no dropout
        using (no_grad()) z = _encoder.EncodeRaw(x);
        _encoder.eval();

        var reconstruction = Images.Decode(z);
        var l1 = (reconstruction - x).abs().mean();
        var rec = l1;
        double perceptualValue = 0;
        if (_perceptual is not null)
        {
            var perceptual = _perceptual.Forward(reconstruction, x);
            perceptualValue = perceptual.item<float>();
            rec = rec + Options.PerceptualWeight * perceptual;
        }
        var loss = rec;
        double ganValue = 0, lambdaValue = 0;
        if (ganActive)
        {
            SetTrainable(Discriminator!, false);
            var generatorLoss = GanLosses.GeneratorLoss(Discriminator!.forward(DiffAugment.Apply(reconstruction, _augmentGenerator)));
            var lambda = AdaptiveWeight.Compute(rec, generatorLoss, Decoder.decoder_pred.weight!);
            SetTrainable(Discriminator!, true);
            loss = loss + Options.DiscWeight * lambda * generatorLoss;
            ganValue = generatorLoss.item<float>();
            lambdaValue = lambda.item<float>();
        }
        DecoderOptimizer.zero_grad();
        loss.backward();
        DecoderOptimizer.step();
        _ema.Update();

        var metrics = new Dictionary<string, double>
        {
            ["l1"] = l1.item<float>(), ["perceptual"] = perceptualValue, ["gan"] = ganValue, ["lambda"] = lambdaValue, ["lr"] = lr,
        };
        if (discActive) metrics["disc"] = DiscriminatorStep(x, z);
        return metrics;
    }

    double DiscriminatorStep(Tensor real, Tensor z)
    {
        using var scope = NewDisposeScope();
        Tensor fake;
        using (no_grad()) fake = (Images.Decode(z).clamp(0.0, 1.0) * 255).round() / 255; // the updated G, as 8-bit images
        var logitsReal = Discriminator!.forward(DiffAugment.Apply(real, _augmentGenerator));
        var logitsFake = Discriminator.forward(DiffAugment.Apply(fake, _augmentGenerator));
        var loss = GanLosses.HingeDiscriminatorLoss(logitsReal, logitsFake);
        DiscriminatorOptimizer!.zero_grad();
        loss.backward();
        DiscriminatorOptimizer.step();
        return loss.item<float>();
    }

    static void SetTrainable(nn.Module module, bool trainable)
    {
        foreach (var p in module.parameters()) p.requires_grad = trainable;
    }

    long StepSeed(long step, long stream) => unchecked(Options.Seed * 1_000_003L + step * 7919L + stream);

    /// <summary>
    /// Writes <c>&lt;out&gt;/decoder/config.json</c> (ViTMAE-style, loadable by <see cref="DecoderConfig.Load"/>)
    /// and <c>&lt;out&gt;/decoder/model.safetensors</c> (<see cref="GeneralDecoder"/> keys, fp32 or fp16).
    /// </summary>
    public static (string ConfigPath, string WeightsPath) Export(GeneralDecoder decoder, string outDir, bool fp16 = false)
    {
        var dir = Path.Combine(outDir, "decoder");
        Directory.CreateDirectory(dir);
        var configPath = Path.Combine(dir, "config.json");
        var weightsPath = Path.Combine(dir, "model.safetensors");
        decoder.Config.Save(configPath);
        TrainingRun.ExportWeights(decoder, weightsPath, float16: fp16, new Dictionary<string, string> { ["format"] = "pt" });
        return (configPath, weightsPath);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Decoder.Dispose();
        EmaDecoder.Dispose();
        Discriminator?.Dispose();
        DecoderOptimizer.Dispose();
        DiscriminatorOptimizer?.Dispose();
        _noiseGenerator.Dispose();
        _augmentGenerator.Dispose();
    }
}
