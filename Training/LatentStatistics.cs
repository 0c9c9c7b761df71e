using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Rae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>How <see cref="LatentStatistics"/> turns the latents into a mean and a variance.</summary>
public enum LatentStatisticsMethod
{
    /// <summary>
    /// The official <c>src/calculate_stat.py</c>: a BatchNorm-like running average over the batches with momentum m
    /// (0.1), starting from mean 0 and var 1, fed each batch's mean and POPULATION variance over the batch axis:
    /// mean ← (1−m)·mean + m·mean_b(z), var ← (1−m)·var + m·var_b(z), in float32 (its stats module's buffers). With
    /// one process the official rank sync (mean of means; mean of vars + variance of means) is the identity. This is
    /// an exponential average that weights the last ~1/m batches most, not the data set's statistics; the start
    /// values decay as (1−m)^batches.
    /// </summary>
    RunningAverage,

    /// <summary>
    /// The exact population statistics of all latents: pass 1 mean = Σz/N, pass 2 var = Σ(z − mean)²/N, both
    /// accumulated in float64 (two passes avoid the cancellation of E[z²] − E[z]²). Every batch counts equally,
    /// whatever its order; it differs from <see cref="RunningAverage"/> by the batch-to-batch fluctuation of the
    /// last batches and by the within-batch vs whole-set variance (the latter adds the variance of the batch means).
    /// </summary>
    TwoPass,
}

/// <summary>Settings of <see cref="LatentStatistics.Compute(RaeEncoder, LabeledImages, LatentStatisticsOptions, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
/// <param name="BatchSize">images per batch (the running average depends on it; official default 256).</param>
/// <param name="Seed">seeds the shuffle and the flips (the official loader shuffles).</param>
/// <param name="HorizontalFlip">stage-2 preprocessing's random flip (on, as the official script).</param>
/// <param name="Method">running average (official) or exact two-pass.</param>
/// <param name="Momentum">the running average's momentum (official 0.1).</param>
/// <param name="Device">torch device the images are moved to (the encoder's).</param>
public sealed record LatentStatisticsOptions(int BatchSize = 256, long Seed = 0, bool HorizontalFlip = true,
    LatentStatisticsMethod Method = LatentStatisticsMethod.RunningAverage, double Momentum = 0.1, string Device = "cpu")
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field; returns this otherwise.</summary>
    public LatentStatisticsOptions Validated()
    {
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1, got {BatchSize}", nameof(BatchSize));
        if (!(Momentum > 0 && Momentum <= 1)) throw new ArgumentException($"Momentum must be in (0, 1], got {Momentum}", nameof(Momentum));
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"Method {Method} is not a known method", nameof(Method));
        if (string.IsNullOrWhiteSpace(Device)) throw new ArgumentException("Device must be set", nameof(Device));
        return this;
    }
}

/// <summary>Per-(channel, position) latent statistics [C,h,w] (float32, CPU) and how many latents went in.</summary>
public sealed record LatentStatisticsResult(Tensor Mean, Tensor Var, long Samples) : IDisposable
{
    /// <summary>Writes a safetensors file with <c>mean</c> and <c>var</c> that <see cref="LatentStatsFile.Read"/> reads.</summary>
    public void Save(string path) => LatentStatistics.Write(path, Mean, Var);

    /// <inheritdoc/>
    public void Dispose() { Mean.Dispose(); Var.Dispose(); }
}

/// <summary>
/// The latent statistics RAE normalizes stage-2 latents with (official <c>src/calculate_stat.py</c>): the encoder's raw
/// latents (<see cref="RaeEncoder.EncodeRaw"/> in eval mode, so no noise augmentation; resize and pixel normalization
/// included) of the training images with the stage-2 preprocessing (random horizontal flip), reduced per
/// (channel, position) over the samples.
/// </summary>
public static class LatentStatistics
{
    /// <summary>The progress phase name.</summary>
    public const string Phase = "latent-stats";

    /// <summary>Statistics of <paramref name="data"/>'s images, batched by <see cref="EpochBatches"/> (epoch 0, last batch kept).</summary>
    public static LatentStatisticsResult Compute(RaeEncoder encoder, LabeledImages data, LatentStatisticsOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options.Validated();
        var batches = new EpochBatches(data, Math.Min(o.BatchSize, data.Count), o.Seed, o.HorizontalFlip, dropLast: false);
        var device = torch.device(o.Device);
        IEnumerable<Tensor> Images()
        {
            foreach (var b in batches.Epoch(0))
                using (b) yield return b.Images.to(device);
        }
        return Compute(encoder, Images, o.Method, o.Momentum, progress, batches.BatchesPerEpoch, cancellationToken);
    }

    /// <summary>
    /// Statistics of the [B,3,H,W] images in [0,1] that <paramref name="imageBatches"/> yields; each yielded tensor is
    /// disposed once encoded. The two-pass method calls it twice and needs the same images both times. <paramref name="batchesPerPass"/> only sizes progress reports.
    /// </summary>
    public static LatentStatisticsResult Compute(RaeEncoder encoder, Func<IEnumerable<Tensor>> imageBatches,
        LatentStatisticsMethod method, double momentum = 0.1, IProgress<TrainingProgress>? progress = null,
        long batchesPerPass = 0, CancellationToken cancellationToken = default)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var _ = inference_mode();
            long passes = method == LatentStatisticsMethod.TwoPass ? 2 : 1, done = 0;
            void Report() => progress?.Report(TrainingProgress.Of(Phase, ++done, batchesPerPass * passes));

            if (method == LatentStatisticsMethod.RunningAverage)
            {
                Tensor? mean = null, var = null;
                long n = 0;
                ForEachLatent(encoder, imageBatches, cancellationToken, z =>
                {
                    mean ??= zeros(z.shape[1..], ScalarType.Float32, z.device).DetachFromDisposeScope();
                    var ??= ones(z.shape[1..], ScalarType.Float32, z.device).DetachFromDisposeScope();
                    RunningUpdate(mean, var, z, momentum);
                    n += z.shape[0];
                    Report();
                });
                if (mean is null || var is null) throw new ArgumentException("no images to compute latent statistics from", nameof(imageBatches));
                return new LatentStatisticsResult(ToCpuFloat(mean), ToCpuFloat(var), n);
            }

            Tensor? sum = null, squares = null;
            long count = 0;
            ForEachLatent(encoder, imageBatches, cancellationToken, z =>
            {
                sum ??= zeros(z.shape[1..], ScalarType.Float64, z.device).DetachFromDisposeScope();
                sum.add_(z.to(ScalarType.Float64).sum([0L]));
                count += z.shape[0];
                Report();
            });
            if (sum is null) throw new ArgumentException("no images to compute latent statistics from", nameof(imageBatches));
            using var mean64 = (sum / count).DetachFromDisposeScope();
            long second = 0;
            ForEachLatent(encoder, imageBatches, cancellationToken, z =>
            {
                squares ??= zeros(z.shape[1..], ScalarType.Float64, z.device).DetachFromDisposeScope();
                squares.add_((z.to(ScalarType.Float64) - mean64).square().sum([0L]));
                second += z.shape[0];
                Report();
            });
            if (second != count) throw new InvalidOperationException($"the two passes saw {count} and {second} images: the batches must repeat");
            using var var64 = squares! / count;
            sum.Dispose();
            squares!.Dispose();
            return new LatentStatisticsResult(ToCpuFloat(mean64), ToCpuFloat(var64), count);
        }
        finally { encoder.train(wasTraining); }
    }

    /// <summary>
    /// One step of the official running statistics, in place: with the batch's mean and population variance over
    /// axis 0 of <paramref name="z"/> [B,...], mean ← (1−m)·mean + m·mean_b and var ← (1−m)·var + m·var_b
    /// (torch's <c>mul_(1 − m).add_(batch, alpha: m)</c>, in the buffers' float32).
    /// </summary>
    public static void RunningUpdate(Tensor runningMean, Tensor runningVar, Tensor z, double momentum)
    {
        using var scope = NewDisposeScope();
        var zf = z.to(runningMean.dtype);
        var batchMean = zf.mean([0]);
        var batchVar = zf.var(0, unbiased: false);
        runningMean.mul_(1 - momentum).add_(batchMean, alpha: momentum);
        runningVar.mul_(1 - momentum).add_(batchVar, alpha: momentum);
    }

    /// <summary>Writes <c>mean</c> and <c>var</c> (float32, contiguous) as safetensors at <paramref name="path"/>.</summary>
    public static void Write(string path, Tensor mean, Tensor var)
    {
        using var scope = NewDisposeScope();
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["mean"] = mean.detach().cpu().to(ScalarType.Float32).contiguous(),
            ["var"] = var.detach().cpu().to(ScalarType.Float32).contiguous(),
        }, new Dictionary<string, string> { ["format"] = "pt", ["content"] = "RAE latent statistics" });
    }

    // Encodes each batch in its own dispose scope and then disposes the batch. The enumerator advances OUTSIDE the
    // scope: a lazily built source (EpochBatches' order and flip tensors) must outlive the first batch.
    static void ForEachLatent(RaeEncoder encoder, Func<IEnumerable<Tensor>> imageBatches, CancellationToken ct, Action<Tensor> body)
    {
        foreach (var images in imageBatches())
        {
            using (images)
            using (var scope = NewDisposeScope())
                body(encoder.EncodeRaw(images));
            ct.ThrowIfCancellationRequested();
        }
    }

    static Tensor ToCpuFloat(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().DetachFromDisposeScope();
}
