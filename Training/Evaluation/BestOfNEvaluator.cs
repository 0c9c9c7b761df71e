using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Best-of-N evaluation that is not circular: candidates are selected by a latent verifier and judged by a pixel-space
/// CNN (<see cref="PixelClassifier"/>) and by the Fréchet distance to real test images (the encoder's pooled features,
/// as <see cref="Evaluator"/> measures FD). Group g (class g mod K) samples candidates c = 0..max(N)−1 with seed
/// <see cref="CandidateSeeds.Of"/>(seed, g, c) and the bundle's sampling; plain sampling keeps candidates 0..k−1, best-of-N
/// keeps <see cref="BestOfN.Select"/> of the first N candidates' scores. Only kept candidates are decoded, each once.
/// Progress phases: "pixel classifier", "real test", "sample", "decode".
/// </summary>
public static class BestOfNEvaluator
{
    /// <summary>
    /// Runs the evaluation on <paramref name="model"/>; the pixel classifier is cached in <paramref name="cacheDir"/>
    /// under a key made of <paramref name="datasetKey"/> (which dataset), the image size and its options.
    /// </summary>
    public static BestOfNReport Evaluate(RaeModel model, LabeledImages train, LabeledImages test, string datasetKey, BestOfNOptions options,
        string cacheDir, SamplingSettings? sampling = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = options.Validate();
        var clock = Stopwatch.StartNew();
        var diffusion = model.Diffusion ?? throw new InvalidOperationException($"bundle '{model.Bundle.Name}' has no stage_2 diffusion model to evaluate");
        var numClasses = diffusion.NumClasses;
        if (test.Count < o.RealImages) throw new ArgumentException($"RealImages: {o.RealImages} requested but the test split has only {test.Count} images");
        var verifier = model.Verifier(o.Verifier);
        var classifierOptions = o.Classifier ?? new PixelClassifierOptions();
        using var classifier = PixelClassifier.LoadOrTrain(train, numClasses, model.ImageSize, datasetKey, classifierOptions, cacheDir,
            out var cached, out var classifierPath, progress);
        var realAccuracy = classifier.Accuracy(test, classifierOptions.TestImages, model.ImageSize);
        using var realFeatures = KeptImages.RealFeatures(model, test, o.RealImages, o.BatchSize, progress);

        // Sample every candidate once and score it; row i of the flat arrays is (group i / N, candidate i mod N).
        int maxN = o.MaxN, total = o.Groups * maxN;
        int LabelOf(int g) => g % numClasses;
        var scores = new double[total];
        var latents = new List<Tensor>();
        using var latentScope = NewDisposeScope();
        for (int start = 0; start < total; start += o.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var ids = Enumerable.Range(start, Math.Min(o.BatchSize, total - start)).ToArray();
            var labels = ids.Select(i => (long)LabelOf(i / maxN)).ToArray();
            var seeds = ids.Select(i => CandidateSeeds.Of(o.Seed, i / maxN, i % maxN)).ToArray();
            var batch = model.GenerateLatents(labels, seeds, ids.Select(_ => CandidateSeeds.NoiseIndex).ToArray(), sampling, cancellation);
            var s = verifier.Score(batch, labels.Select(y => new LatentCondition((int)y)).ToList()); // the verifier names the class itself
            var values = s.to(ScalarType.Float64).data<double>().ToArray();
            if (values.Length != ids.Length) throw new InvalidOperationException($"verifier '{verifier.Name}' returned {values.Length} scores for {ids.Length} latents");
            values.CopyTo(scores, start);
            latents.Add(batch.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
            progress?.Report(new TrainingProgress("sample", start + ids.Length, total, new Dictionary<string, double>()));
        }
        using var all = cat(latents, 0);

        // Which candidates each selection keeps (flat ids), then decode the union once.
        var plain = KeptImages.Plain(o.Groups, maxN, o.Keep);
        var picks = o.Ns.Select(n => KeptImages.BestOf(scores, o.Groups, maxN, n, o.Keep)).ToList();
        using var kept = KeptImages.Decode(model, classifier, all, [plain, .. picks], i => LabelOf(i / maxN), realFeatures, o.BatchSize, progress, cancellation);

        double MeanScore(int[] ids) => ids.Average(i => scores[i]);
        var (accPlain, fdPlain, scorePlain) = (kept.Accuracy(plain), kept.Fd(plain), MeanScore(plain));
        var rows = o.Ns.Select((n, r) => new BestOfNRow(n, o.Keep, o.Groups, plain.Length, accPlain, kept.Accuracy(picks[r]), fdPlain, kept.Fd(picks[r]),
            (long)o.Groups * (n - o.Keep), scorePlain, MeanScore(picks[r]))).ToList();
        return new BestOfNReport(rows, verifier.Name, verifier.Version, realAccuracy, cached, classifierPath, total, kept.Decoded,
            clock.Elapsed.TotalSeconds);
    }
}
