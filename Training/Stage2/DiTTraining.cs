using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Loading;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage2;

/// <summary>
/// Stage-2 diffusion training as the official src/train.py: x1 = the data (the frozen RAE's normalized latent, or
/// pixels for the baseline) from a delegate, t from the time distribution then shifted, ε ~ N(0, I), loss =
/// <see cref="LinearFlowMatching.TrainingLosses"/> averaged over the batch, label dropout inside the model, AdamW
/// with the constant-then-linear schedule, gradient clipping, an EMA update every step. Every random draw comes from
/// generators seeded by (seed, step), so a run — and a resumed run — is reproducible.
/// </summary>
public static class DiTTraining
{
    /// <summary>The progress phase name.</summary>
    public const string Phase = "dit";
    /// <summary>Exported EMA weights, relative to the output folder.</summary>
    public const string ModelFile = "dit/model.safetensors";
    /// <summary>Exported weak (early EMA) weights for AutoGuidance, relative to the output folder.</summary>
    public const string WeakModelFile = "dit_weak/model.safetensors";
    /// <summary>The resumable checkpoint, relative to the work folder.</summary>
    public const string CheckpointFile = "dit/checkpoint.safetensors";

    // Independent random streams per step; SplitMix-mixed with the step so resuming needs no generator state.
    const long TimeStream = 0x71, NoiseStream = 0x72, DropoutStream = 0x73, InitStream = 0x74;

    /// <summary>A CPU generator for <paramref name="stream"/> at <paramref name="step"/> of the run seeded <paramref name="seed"/>.</summary>
    public static Generator StepGenerator(long seed, long stream, long step) => new(ItemNoise.ItemSeed(seed * 31 + stream, step));

    /// <summary>Builds the model of <paramref name="options"/> with the official initialisation from the run's seed.</summary>
    public static nn.Module<Tensor, Tensor, Tensor, Tensor> CreateModel(DiTTrainingOptions options)
    {
        var model = Stage2Loader.Build(options.Target, options.Params, "params");
        using var g = StepGenerator(options.Seed, InitStream, 0);
        DiTInit.Initialize(model, g);
        return model;
    }

    /// <summary>
    /// Trains, resuming from <c>&lt;workDir&gt;/dit/checkpoint.safetensors</c> when it exists; checkpoints every epoch
    /// and on cancellation (then throws <see cref="OperationCanceledException"/>). Writes the EMA weights to
    /// <c>&lt;outDir&gt;/dit/model.safetensors</c> (and the weak model at <see cref="DiTTrainingOptions.WeakStep"/>).
    /// <paramref name="toX1"/> maps a batch of images to the model input x1 [B, C, H, W]; it runs without gradients.
    /// </summary>
    public static DiTTrainingResult Run(DiTTrainingOptions options, LabeledImages data, Func<ImageBatch, Tensor> toX1,
        string outDir, string workDir, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validated();
        var batches = new EpochBatches(data, options.BatchSize, options.Seed, options.HorizontalFlip);
        long perEpoch = batches.BatchesPerEpoch;
        if (perEpoch < 1) throw new ArgumentException($"batch_size ({options.BatchSize}) is larger than the data set ({data.Count} images)");
        long total = perEpoch * options.Epochs;
        var schedule = options.Schedule(perEpoch);
        var timeSampler = TimeSamplers.Parse(options.TimeDistType);
        var shift = options.ShiftFactor;

        using var model = CreateModel(options);
        using var shadow = Stage2Loader.Build(options.Target, options.Params, "params");
        var ema = new Ema(model, shadow, options.EmaDecay, options.EmaWarmup);
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = options.Optimizer.Create(parameters);
        var modules = new Dictionary<string, nn.Module> { ["model"] = model, ["ema"] = shadow };
        var optimizers = new Dictionary<string, optim.Optimizer> { ["optimizer"] = optimizer };

        var checkpoint = Path.Combine(workDir, CheckpointFile);
        var fingerprint = Fingerprint(options, data);
        long step = File.Exists(checkpoint) ? TrainingCheckpoint.Load(checkpoint, modules, optimizers, fingerprint).Step : 0;
        ema.Updates = step;
        var weakPath = Path.Combine(outDir, WeakModelFile);
        var losses = new List<double>();
        model.train();

        for (var epoch = (int)(step / perEpoch); epoch < options.Epochs; epoch++)
        {
            foreach (var batch in batches.Epoch(epoch, skipBatches: (int)(step - epoch * perEpoch)))
            {
                using var b = batch;
                if (cancellationToken.IsCancellationRequested)
                {
                    TrainingCheckpoint.Save(checkpoint, step, modules, optimizers, fingerprint: fingerprint);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                var lr = schedule.At(step);
                LrSchedules.Apply(optimizer, lr);
                var (loss, gradNorm) = Step(model, optimizer, parameters, options, timeSampler, shift, toX1, b, step);
                ema.Update();
                step++;
                losses.Add(loss);
                progress?.Report(new TrainingProgress(Phase, step, total,
                    new Dictionary<string, double> { ["loss"] = loss, ["grad_norm"] = gradNorm, ["lr"] = lr }));
                if (step == options.WeakStep)
                    TrainingRun.ExportWeights(shadow, weakPath, options.StoreFloat16, WeightsMetadata(step));
            }
            TrainingCheckpoint.Save(checkpoint, step, modules, optimizers, fingerprint: fingerprint);
        }

        TrainingRun.ExportWeights(shadow, Path.Combine(outDir, ModelFile), options.StoreFloat16, WeightsMetadata(step));
        var stage2 = new ModelSection { Target = options.Target, Params = (System.Text.Json.Nodes.JsonObject)options.Params.DeepClone(), Ckpt = ModelFile };
        var weak = options.WeakStep is { } w && w <= total ? stage2 with { Ckpt = WeakModelFile, Params = (System.Text.Json.Nodes.JsonObject)options.Params.DeepClone() } : null;
        return new DiTTrainingResult(stage2, weak, step, losses);
    }

    /// <summary>
    /// What the checkpoint must have been trained from to be resumed: every option except <c>store_float16</c> (the
    /// dtype of the exported copy) and the derived <c>input_shape</c> and <c>shift_factor</c>, plus the training images
    /// (<see cref="TrainingFingerprint.Data"/>). The frozen encoder behind <c>toX1</c> is not in it: in a recipe its own
    /// stage marker refuses a changed encoder before this stage runs.
    /// </summary>
    public static TrainingFingerprint Fingerprint(DiTTrainingOptions options, LabeledImages data) =>
        TrainingFingerprint.Of(options).Without("store_float16", "input_shape", "shift_factor").With("data", TrainingFingerprint.Data(data));

    /// <summary>One optimizer step on <paramref name="batch"/>; returns (loss, pre-clip gradient norm).</summary>
    static (double Loss, double GradNorm) Step(nn.Module<Tensor, Tensor, Tensor, Tensor> model, optim.Optimizer optimizer,
        Parameter[] parameters, DiTTrainingOptions options, ITimeSampler timeSampler, double shift,
        Func<ImageBatch, Tensor> toX1, ImageBatch batch, long step)
    {
        using var scope = NewDisposeScope();
        using var timeGen = StepGenerator(options.Seed, TimeStream, step);
        using var noiseGen = StepGenerator(options.Seed, NoiseStream, step);
        using var dropoutGen = StepGenerator(options.Seed, DropoutStream, step);
        Tensor x1;
        using (no_grad()) x1 = toX1(batch).detach();
        var t = TrainingTimes(options, timeSampler, shift, x1.shape[0], timeGen);
        var eps = randn(x1.shape, generator: noiseGen).to(x1.dtype, x1.device);
        FlowMatchingTerms terms;
        SetLabelDropoutGenerator(model, dropoutGen);
        try { terms = LinearFlowMatching.TrainingLosses((IVelocityModel)model, x1, eps, t.to(x1.device), batch.Labels.to(x1.device)); }
        finally { SetLabelDropoutGenerator(model, null); }
        var loss = terms.Loss.mean();
        optimizer.zero_grad();
        loss.backward();
        var gradNorm = nn.utils.clip_grad_norm_(parameters, options.ClipGradNorm);
        optimizer.step();
        return (loss.item<float>(), gradNorm);
    }

    /// <summary>
    /// The t the model sees at <paramref name="step"/>: drawn from the time distribution with the step's generator,
    /// then shifted by <see cref="TimeShift"/> when the shift is on.
    /// </summary>
    public static Tensor TrainingTimes(DiTTrainingOptions options, long n, long step)
    {
        using var g = StepGenerator(options.Seed, TimeStream, step);
        return TrainingTimes(options, TimeSamplers.Parse(options.TimeDistType), options.ShiftFactor, n, g);
    }

    static Tensor TrainingTimes(DiTTrainingOptions options, ITimeSampler sampler, double shift, long n, Generator g)
    {
        using var scope = NewDisposeScope();
        var t = sampler.Sample(n, g);
        return (options.TimeShiftEnabled ? TimeShift.Apply(t, shift) : t).MoveToOuterDisposeScope();
    }

    static void SetLabelDropoutGenerator(nn.Module model, Generator? g)
    {
        if (model is DiTDH d) d.LabelDropoutGenerator = g;
        else if (model is LightningDiT l) l.LabelDropoutGenerator = g;
    }

    static Dictionary<string, string> WeightsMetadata(long step) => new() { ["format"] = "pt", ["ema"] = "true", ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
