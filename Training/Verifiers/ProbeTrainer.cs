using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RAE.Grid.Training.Verifiers;

/// <summary>
/// Trains the class-probe verifier (<see cref="ClassProbeVerifier"/>) from a bundle's frozen encoder: the normalized
/// latents of a labelled train split (what the diffusion model learned to generate), standardized per feature, then
/// a linear layer fitted with AdamW on noise-augmented latents (see <see cref="ProbeTrainingOptions.NoiseStd"/>).
/// Reports accuracy on the clean train latents and on the held-out test split. Writes the probe into the bundle.
/// </summary>
public static class ProbeTrainer
{
    /// <summary>Trains a probe called <paramref name="name"/> on <paramref name="train"/>, measured on <paramref name="test"/>.</summary>
    public static ProbeTrainingResult Train(RaeModel model, LabeledImages train, LabeledImages test, string name,
        ProbeTrainingOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = (options ?? new ProbeTrainingOptions()).Validate();
        var clock = Stopwatch.StartNew();
        var numClasses = model.Diffusion?.NumClasses ?? model.Bundle.Misc.NumClasses;
        var trainSet = o.TrainImages is { } nt ? train.Take(nt) : train;
        var testSet = o.TestImages is { } ns ? test.Take(ns) : test;
        CheckLabels(trainSet, numClasses, "train");
        CheckLabels(testSet, numClasses, "test");

        using var scope = NewDisposeScope();
        var x = EncodeLatents(model, trainSet, o.EncodeBatch, "encode train", progress, cancellation);
        var xTest = EncodeLatents(model, testSet, o.EncodeBatch, "encode test", progress, cancellation);
        var y = trainSet.Labels.to(ScalarType.Int64).cpu();
        var yTest = testSet.Labels.to(ScalarType.Int64).cpu();

        var flat = x.reshape(x.shape[0], -1);
        var mean = flat.mean([0]);
        var std = flat.std([0], unbiased: false);
        std = where(std > 1e-6, std, ones_like(std)); // a constant feature is left unscaled, not divided by ~0
        var z = (flat - mean) / std;

        var d = z.shape[1];
        var weight = nn.Parameter(zeros(numClasses, d));
        var bias = nn.Parameter(zeros(numClasses));
        using var optimizer = optim.AdamW([weight, bias], o.LearningRate, weight_decay: o.WeightDecay);
        using var generator = new Generator(unchecked((ulong)o.Seed * 0x9E3779B97F4A7C15UL + 1));
        var steps = (int)((z.shape[0] + o.BatchSize - 1) / o.BatchSize);
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var epochScope = NewDisposeScope();
            var order = randperm(z.shape[0], generator: generator);
            double lossSum = 0;
            for (int s = 0; s < steps; s++)
            {
                using var step = NewDisposeScope();
                var idx = order.narrow(0, s * (long)o.BatchSize, Math.Min(o.BatchSize, z.shape[0] - s * (long)o.BatchSize));
                var batch = z.index_select(0, idx);
                if (o.NoiseStd > 0)
                {
                    // Noise is added in latent units (before standardization), where the sampler's error lives.
                    var sigma = rand([batch.shape[0], 1], generator: generator) * o.NoiseStd;
                    batch = batch + randn(batch.shape, generator: generator) * sigma / std;
                }
                optimizer.zero_grad();
                var loss = F.cross_entropy(batch.matmul(weight.T) + bias, y.index_select(0, idx));
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
            }
            progress?.Report(new TrainingProgress("probe", epoch + 1, o.Epochs,
                new Dictionary<string, double> { ["loss"] = lossSum / steps }));
        }

        var tensors = new Dictionary<string, Tensor>
        {
            [ClassProbeVerifier.MeanKey] = mean, [ClassProbeVerifier.StdKey] = std,
            [ClassProbeVerifier.WeightKey] = weight.detach(), [ClassProbeVerifier.BiasKey] = bias.detach(),
        };
        var probe = ClassProbeVerifier.FromTensors(name, ClassProbeVerifier.TypeName + "@unsaved", tensors, model.LatentShape, numClasses);
        var trainAccuracy = Accuracy(probe, x, y);
        var testAccuracy = Accuracy(probe, xTest, yTest);
        return new ProbeTrainingResult(probe, trainAccuracy, testAccuracy, trainSet.Count, testSet.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Writes <paramref name="probe"/> to <c>verifier/&lt;name&gt;.safetensors</c> beside <paramref name="bundlePath"/>
    /// and adds its <c>verifiers</c> entry to the bundle file (replacing one of the same name in place; a new one goes
    /// last, so an existing default stays the default). Returns the weights path.
    /// </summary>
    public static string WriteIntoBundle(string bundlePath, ClassProbeVerifier probe, string description)
    {
        var bundle = RaeBundle.Load(bundlePath);
        var relative = $"verifier/{probe.Name}.safetensors";
        SafeTensorsWriter.Write(bundle.Resolve(relative), probe.Tensors(),
            new Dictionary<string, string> { ["type"] = ClassProbeVerifier.TypeName, ["description"] = description });
        var entry = new VerifierSection
        {
            Name = probe.Name, Type = ClassProbeVerifier.TypeName, Weights = relative, Description = description,
        };
        var list = (bundle.Verifiers ?? []).ToList();
        var at = list.FindIndex(v => v.Name == probe.Name);
        if (at >= 0) list[at] = entry; else list.Add(entry);
        (bundle with { Verifiers = [.. list] }).Save(bundlePath);
        var problems = RaeBundle.Load(bundlePath).Validate(); // re-read: what was written must load
        if (problems.Count > 0) throw new InvalidDataException($"{bundlePath}: the written bundle does not validate: {string.Join("; ", problems)}");
        return bundle.Resolve(relative);
    }

    /// <summary>Normalized latents [N, C, H, W] (float32, CPU) the bundle's encoder gives each image (eval mode, no noise).</summary>
    public static Tensor EncodeLatents(RaeModel model, LabeledImages set, int batchSize, string phase = "encode",
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var parts = new List<Tensor>();
        var batches = (set.Count + batchSize - 1) / batchSize;
        var wasTraining = model.Encoder.training;
        model.Encoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            for (int b = 0; b < batches; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var batchScope = NewDisposeScope();
                var start = b * batchSize;
                var images = CenterCrop.Apply(set.ToFloatRgb(start, Math.Min(batchSize, set.Count - start)), model.ImageSize);
                // A clone outside inference mode: the probe is trained on these with autograd.
                parts.Add(model.Encode(images).to(ScalarType.Float32).cpu().clone().MoveToOuterDisposeScope());
                progress?.Report(new TrainingProgress(phase, b + 1, batches, new Dictionary<string, double>()));
            }
            return cat(parts, 0).MoveToOuterDisposeScope();
        }
        finally { model.Encoder.train(wasTraining); }
    }

    static double Accuracy(ClassProbeVerifier probe, Tensor latents, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return probe.LogProbabilities(latents).argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }

    static void CheckLabels(LabeledImages set, int numClasses, string split)
    {
        if (set.Count < 1) throw new ArgumentException($"{split}: the split is empty");
        var max = set.Labels.max().item<long>();
        if (set.Labels.min().item<long>() < 0 || max >= numClasses)
            throw new ArgumentException($"{split}: labels must lie in 0..{numClasses - 1} (the bundle's classes), got up to {max}");
    }
}
