using System.Diagnostics;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Rae;
using TorchSharp;
using static TorchSharp.torch;
using Module = TorchSharp.torch.nn.Module;

namespace RAE.Grid.Training.Mae;

/// <summary>
/// Self-supervised MAE pre-training of the small encoder (HF <c>ViTMAEForPreTraining</c>) on a labelled image set's
/// images, the single entry point the CLI calls. Images are ImageNet-normalized (as <c>MAEwNorm</c> later feeds
/// the encoder), the masking noise of step s comes from a generator seeded by (seed, s), and a
/// <see cref="TrainingCheckpoint"/> is written at the end of every epoch, at the end of the run and on cancellation,
/// so rerunning with the same options continues exactly where the last run stopped.
/// </summary>
public static class MaePretraining
{
    /// <summary>The progress phase name.</summary>
    public const string Phase = "mae";

    /// <summary>
    /// Trains (or resumes) and exports <c>&lt;out&gt;/encoder</c>. Reports every step (metrics <c>loss</c>, <c>lr</c>).
    /// On cancellation the checkpoint is saved after the step in flight and <see cref="OperationCanceledException"/>
    /// is thrown.
    /// </summary>
    public static MaePretrainingResult Run(LabeledImages train, MaePretrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options.Validated();
        var config = o.ModelConfig;
        if (train.Height != config.Encoder.ImageSize || train.Width != config.Encoder.ImageSize)
            throw new ArgumentException($"images are {train.Height}×{train.Width}, the encoder's image_size is {config.Encoder.ImageSize}", nameof(train));
        var device = torch.device(o.Device);
        var batches = new EpochBatches(train, o.BatchSize, o.Seed, horizontalFlip: o.HorizontalFlip);
        long total = (long)o.Epochs * batches.BatchesPerEpoch;
        if (o.MaxSteps is { } cap) total = Math.Min(total, cap);
        var schedule = new CosineWithWarmup(o.PeakLr, (long)Math.Round(o.WarmupFraction * total), total, o.MinLr);

        using var initGenerator = new Generator(unchecked((ulong)o.Seed));
        using var model = new ViTMAEForPreTraining(config, initGenerator);
        model.to(device).train();
        var (decay, noDecay) = MaeParameterGroups.Split(model, o.ExemptTokensFromWeightDecay);
        var optimizer = new AdamWSettings(o.PeakLr, o.Beta1, o.Beta2, o.WeightDecay).Create(decay, noDecay);
        var modules = new Dictionary<string, Module> { ["model"] = model };
        var optimizers = new Dictionary<string, optim.Optimizer> { ["optimizer"] = optimizer };
        var metadata = new Dictionary<string, string> { ["phase"] = Phase, ["config"] = config.ToJson(), ["total_steps"] = total.ToString() };

        var fingerprint = Fingerprint(o, train);
        long step = 0;
        if (File.Exists(o.CheckpointPath)) step = TrainingCheckpoint.Load(o.CheckpointPath, modules, optimizers, fingerprint).Step;
        long startStep = step;
        var pixelNorm = PixelNormalization.ImageNet; // what MAEwNorm applies before the encoder
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();

        void Save() => TrainingCheckpoint.Save(o.CheckpointPath, step, modules, optimizers, metadata, fingerprint);

        while (step < total)
        {
            int epoch = (int)(step / batches.BatchesPerEpoch);
            int skip = (int)(step % batches.BatchesPerEpoch);
            foreach (var batch in batches.Epoch(epoch, skip))
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var lr = schedule.At(step);
                    LrSchedules.Apply(optimizer, lr);
                    var pixels = pixelNorm.Normalize(batch.Images.to(device));
                    using var noiseGenerator = new Generator(NoiseSeed(o.Seed, step));
                    var noise = model.MaskingNoise(pixels.shape[0], CPU, noiseGenerator).to(device);
                    optimizer.zero_grad();
                    var loss = model.Forward(pixels, noise).Loss;
                    loss.backward();
                    optimizer.step();
                    var value = loss.item<float>();
                    if (!float.IsFinite(value)) throw new InvalidOperationException($"MAE loss is {value} at step {step}");
                    losses.Add(value);
                    step++;
                    progress?.Report(new TrainingProgress(Phase, step, total,
                        new Dictionary<string, double> { ["loss"] = value, ["lr"] = lr }));
                }
                if (cancellationToken.IsCancellationRequested)
                {
                    Save();
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (step >= total) break;
            }
            Save(); // end of an epoch (or of the run)
        }
        var msPerStep = losses.Count == 0 ? 0 : clock.Elapsed.TotalMilliseconds / losses.Count;

        model.to(CPU);
        var (configPath, weightsPath) = MaeEncoderExport.Write(model, o.EncoderDirectory, o.ExportFloat16);
        return new MaePretrainingResult(o.EncoderDirectory, configPath, weightsPath, startStep, step, losses, msPerStep);
    }

    /// <summary>
    /// What the checkpoint must have been trained from to be resumed: the effective architecture (<c>model_config</c>,
    /// HF names) and peak learning rate, every other option except the work and output folders, the export dtype and
    /// the device (a run may move to another device), plus the training images (<see cref="TrainingFingerprint.Data"/>).
    /// </summary>
    public static TrainingFingerprint Fingerprint(MaePretrainingOptions options, LabeledImages train) =>
        TrainingFingerprint.Of(options)
            .Without("work_directory", "output_directory", "checkpoint_path", "encoder_directory", "export_float16", "device",
                "model", "model_config", "base_lr", "lr")  // model_config and peak_lr say what model and lr are used
            .With("model_config", System.Text.Json.Nodes.JsonNode.Parse(options.ModelConfig.ToJson()))
            .With("data", TrainingFingerprint.Data(train));

    /// <summary>The masking-noise seed of <paramref name="step"/>: depends only on (seed, step), so resuming needs no RNG state.</summary>
    public static ulong NoiseSeed(long seed, long step) =>
        unchecked((ulong)seed * 0xD1B54A32D192ED03UL + (ulong)step * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL);
}
