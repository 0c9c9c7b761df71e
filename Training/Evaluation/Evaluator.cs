using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Evaluates a generator against a real data set in the feature space of a frozen RAE encoder:
/// <list type="bullet">
/// <item>reconstruction PSNR/SSIM of an encode→decode function on the first test images (optional);</item>
/// <item>FD between pooled encoder features of generated images (balanced labels i mod K) and as many test images,
/// and <c>fd_real</c> between train-split and test-split images (the floor at this sample size);</item>
/// <item>probe accuracy: a <see cref="LinearProbe"/> trained on the test images' normalized latents classifies the
/// generated images' latents against the labels they were conditioned on.</item>
/// </list>
/// Real images are brought to the model's image size with <see cref="CenterCrop"/> (Fashion-MNIST's 28² upsampled
/// for a 256² bundle). Generation goes through a delegate, so a pixel-space baseline is measured the same way.
/// Every loop runs in batches inside dispose scopes and reports each batch through <see cref="IProgress{T}"/>
/// (phases "reconstruct", "real test", "real train", "probe", "generate").
/// </summary>
public sealed class Evaluator
{
    readonly RaeEncoder _encoder;
    readonly int _imageSize;
    readonly EvaluationOptions _options;
    readonly IProgress<TrainingProgress>? _progress;

    /// <param name="encoder">The frozen RAE encoder whose pooled features and latents the metrics use.</param>
    /// <param name="imageSize">Side the real images are brought to (the RAE's input/output image size).</param>
    /// <param name="options">Sample counts, batch size, seed, probe settings.</param>
    /// <param name="progress">Receives one report per batch (and per probe iteration).</param>
    public Evaluator(RaeEncoder encoder, int imageSize, EvaluationOptions options, IProgress<TrainingProgress>? progress = null)
    {
        if (imageSize < 1) throw new ArgumentException($"imageSize: must be positive, got {imageSize}");
        _encoder = encoder;
        _imageSize = imageSize;
        _options = options.Validate();
        _progress = progress;
    }

    /// <summary>
    /// Evaluates a bundle: its encode→decode for reconstruction, and its diffusion model (sampled with
    /// <paramref name="sampling"/>, unset fields from the bundle) → decoder for generation.
    /// </summary>
    public static EvaluationReport Evaluate(RaeModel model, LabeledImages train, LabeledImages test, EvaluationOptions options,
        SamplingSettings? sampling = null, IProgress<TrainingProgress>? progress = null)
    {
        var diffusion = model.Diffusion ?? throw new InvalidOperationException($"bundle '{model.Bundle.Name}' has no stage_2 diffusion model to evaluate");
        return new Evaluator(model.Encoder, model.ImageSize, options, progress)
            .Evaluate(train, test, ImageGenerators.ForBundle(model, sampling), diffusion.NumClasses, model.Reconstruct);
    }

    /// <summary>
    /// Runs the evaluation. <paramref name="generate"/> maps (labels, seed) to [B,3,H,W] images in [0,1];
    /// <paramref name="numClasses"/> is K of the conditioning labels; <paramref name="reconstruct"/> ([B,3,S,S] → images
    /// of the same shape) is skipped when null. <paramref name="train"/> and <paramref name="test"/> must hold at least
    /// <see cref="EvaluationOptions.Samples"/> images each; the test split also at least
    /// <see cref="EvaluationOptions.ReconstructionImages"/>.
    /// </summary>
    public EvaluationReport Evaluate(LabeledImages train, LabeledImages test, Func<long[], long, Tensor> generate, int numClasses,
        Func<Tensor, Tensor>? reconstruct = null)
    {
        var o = _options;
        if (numClasses < 1) throw new ArgumentException($"numClasses: must be at least 1, got {numClasses}");
        if (test.Count < o.Samples) throw new ArgumentException($"samples: {o.Samples} requested but the test split has only {test.Count} images");
        if (train.Count < o.Samples) throw new ArgumentException($"samples: {o.Samples} requested but the train split has only {train.Count} images");
        var reconCount = reconstruct is null ? 0 : o.ReconstructionImages;
        if (test.Count < reconCount) throw new ArgumentException($"recon: {reconCount} requested but the test split has only {test.Count} images");

        var clock = Stopwatch.StartNew();
        var wasTraining = _encoder.training;
        _encoder.eval(); // no noise augmentation while measuring
        try
        {
            var (psnr, ssim) = reconCount > 0 ? Reconstruction(test, reconCount, reconstruct!) : ((double?)null, (double?)null);
            using var testFeatures = RealFeatures(test, "real test", keepLatents: true, out var testLatents);
            using var trainFeatures = RealFeatures(train, "real train", keepLatents: false, out _);
            var testLabels = test.Labels[..o.Samples].cpu();
            using var probe = LinearProbe.Train(testLatents!, testLabels, Math.Max(numClasses, (int)testLabels.max().item<long>() + 1),
                o.Probe, _progress);
            var probeTest = probe.Accuracy(testLatents!, testLabels);
            testLatents!.Dispose();
            var fdReal = FrechetDistance.Compute(trainFeatures, testFeatures);

            var (generatedFeatures, correct) = Generated(generate, numClasses, probe);
            using (generatedFeatures)
            {
                var fd = FrechetDistance.Compute(generatedFeatures, testFeatures);
                return new EvaluationReport(psnr, ssim, fd, (double)correct / o.Samples, fdReal, probeTest, reconCount, o.Samples,
                    clock.Elapsed.TotalSeconds);
            }
        }
        finally { _encoder.train(wasTraining); }
    }

    (double?, double?) Reconstruction(LabeledImages test, int count, Func<Tensor, Tensor> reconstruct)
    {
        var psnr = new List<double>(count);
        var ssim = new List<double>(count);
        var batches = Batches(count);
        for (int b = 0; b < batches.Count; b++)
        {
            using var scope = NewDisposeScope();
            var (start, n) = batches[b];
            var images = RealImages(test, start, n);
            var recon = reconstruct(images).to(ScalarType.Float32).cpu().clamp(0, 1);
            psnr.AddRange(Psnr.PerImage(images, recon));
            ssim.AddRange(Ssim.PerImage(images, recon));
            Report("reconstruct", b + 1, batches.Count, ("psnr", psnr.Average()), ("ssim", ssim.Average()));
        }
        return (psnr.Average(), ssim.Average());
    }

    // Pooled features [Samples, C] (float64) of the first Samples images, and optionally their latents [Samples, ...].
    Tensor RealFeatures(LabeledImages set, string phase, bool keepLatents, out Tensor? latents)
    {
        var batches = Batches(_options.Samples);
        var features = new List<Tensor>();
        var latentList = new List<Tensor>();
        using var outer = NewDisposeScope();
        for (int b = 0; b < batches.Count; b++)
        {
            using var scope = NewDisposeScope();
            var images = RealImages(set, batches[b].Start, batches[b].Count);
            features.Add(PooledFeatures.Compute(_encoder, images).MoveToOuterDisposeScope());
            if (keepLatents) latentList.Add(Latents(images).MoveToOuterDisposeScope());
            Report(phase, b + 1, batches.Count);
        }
        latents = keepLatents ? cat(latentList, 0).MoveToOuterDisposeScope() : null;
        return cat(features, 0).MoveToOuterDisposeScope();
    }

    // Generates Samples images with balanced labels (item i has label i mod K); returns their pooled features and how
    // many the probe assigns to their conditioning label.
    (Tensor Features, long Correct) Generated(Func<long[], long, Tensor> generate, int numClasses, LinearProbe probe)
    {
        var batches = Batches(_options.Samples);
        var features = new List<Tensor>();
        long correct = 0;
        using var outer = NewDisposeScope();
        for (int b = 0; b < batches.Count; b++)
        {
            using var scope = NewDisposeScope();
            var (start, n) = batches[b];
            var labels = Enumerable.Range(start, n).Select(i => (long)(i % numClasses)).ToArray();
            var seed = unchecked((long)ItemNoise.ItemSeed(_options.Seed, b));
            var images = generate(labels, seed).to(ScalarType.Float32).cpu().clamp(0, 1);
            if (images.dim() != 4 || images.shape[0] != n || images.shape[1] != 3)
                throw new InvalidOperationException($"the generator returned [{string.Join(",", images.shape)}] for {n} labels; expected [{n},3,H,W]");
            features.Add(PooledFeatures.Compute(_encoder, images).MoveToOuterDisposeScope());
            correct += probe.Predict(Latents(images)).eq(tensor(labels)).sum().item<long>();
            Report("generate", b + 1, batches.Count, ("probe_accuracy", (double)correct / (start + n)));
        }
        return (cat(features, 0).MoveToOuterDisposeScope(), correct);
    }

    Tensor RealImages(LabeledImages set, int start, int count)
    {
        using var scope = NewDisposeScope();
        return CenterCrop.Apply(set.ToFloatRgb(start, count), _imageSize).MoveToOuterDisposeScope();
    }

    // Normalized latents RAE.encode gives (eval mode: no noise), float32 on the CPU.
    Tensor Latents(Tensor images)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var p = _encoder.parameters().First();
        return _encoder.Encode(images.to(p.dtype, p.device)).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    List<(int Start, int Count)> Batches(int total)
    {
        var list = new List<(int, int)>();
        for (int s = 0; s < total; s += _options.BatchSize) list.Add((s, Math.Min(_options.BatchSize, total - s)));
        return list;
    }

    void Report(string phase, long step, long total, params (string Key, double Value)[] metrics) =>
        _progress?.Report(new TrainingProgress(phase, step, total, metrics.ToDictionary(m => m.Key, m => m.Value)));
}
