using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Rae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Training;

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
