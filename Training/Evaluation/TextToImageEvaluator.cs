using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Prompt-following and the test-time-scaling table of a text-to-image bundle (our GenEval stand-in): group g prompts
/// for class g mod 10 with a Fashion-MNIST caption (<see cref="Prompt"/>), on seen and on held-out wordings; candidates
/// c = 0..max(N)−1 start from <see cref="CandidateSeeds.Of"/>(seed, g, c), each prompt conditioned once. Plain sampling
/// keeps candidates 0..k−1; best-of-N keeps <see cref="BestOfN.Select"/> of the first N candidates' scores, for each
/// verifier. Kept images are judged by the pixel-space <see cref="PixelClassifier"/> against the class the prompt names
/// and by FD to real test images, as <see cref="BestOfNEvaluator"/> does. Every candidate is scored once per verifier
/// and decoded at most once. Deterministic. Progress phases: "pixel classifier", "real test", "sample seen",
/// "sample held-out-templates", "sample held-out", "decode".
/// </summary>
public static class TextToImageEvaluator
{
    /// <summary>The prompt of group <paramref name="group"/>: caption group / 10 of class group mod 10 in <paramref name="split"/>.</summary>
    public static string Prompt(int group, CaptionSplit split) =>
        FashionCaptions.Caption(group % FashionCaptions.Classes, group / FashionCaptions.Classes, split);

    /// <summary>
    /// Runs the evaluation on <paramref name="model"/> (a bundle with a <c>t2i</c> section); the pixel classifier is
    /// cached in <paramref name="cacheDir"/> under <paramref name="datasetKey"/>, as for <see cref="BestOfNEvaluator"/>.
    /// </summary>
    public static TextToImageEvalReport Evaluate(RaeModel model, LabeledImages train, LabeledImages test, string datasetKey,
        TextToImageEvalOptions options, string cacheDir, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = options.Validate();
        var clock = Stopwatch.StartNew();
        var t2i = model.TextToImage();
        var sampling = new Sampling(t2i, o.Steps ?? t2i.Section.Sampler.NumSteps, o.CfgScale ?? t2i.Section.Sampler.CfgScale,
            T2ISamplerSection.Parse(t2i.Section.Sampler.Method));
        if (test.Count < o.RealImages) throw new ArgumentException($"RealImages: {o.RealImages} requested but the test split has only {test.Count} images");
        var names = o.Verifiers ?? (model.Bundle.Verifiers ?? []).Select(v => v.Name).ToList();
        if (names.Count == 0) throw new InvalidOperationException($"bundle '{model.Bundle.Name}' has no verifiers to select with");
        var verifiers = names.Select(n => model.Verifier(n)).ToList();
        var classifierOptions = o.Classifier ?? new PixelClassifierOptions();
        using var classifier = PixelClassifier.LoadOrTrain(train, FashionCaptions.Classes, model.ImageSize, datasetKey, classifierOptions, cacheDir,
            out var cached, out var classifierPath, progress);
        var realAccuracy = classifier.Accuracy(test, classifierOptions.TestImages, model.ImageSize);
        using var realFeatures = KeptImages.RealFeatures(model, test, o.RealImages, o.BatchSize, progress);

        var rows = new List<TextToImageEvalRow>();
        var prompts = new Dictionary<string, IReadOnlyList<string>>();
        long decoded = 0;
        foreach (var (split, name) in TextToImageEvalReport.Splits)
        {
            prompts[name] = Enumerable.Range(0, o.Groups).Select(g => Prompt(g, split)).ToArray();
            decoded += EvaluateSplit(model, sampling, verifiers, classifier, realFeatures, name, prompts[name], o, rows, progress, cancellation);
        }
        return new TextToImageEvalReport(rows, verifiers.ToDictionary(v => v.Name, v => v.Version), realAccuracy, cached, classifierPath,
            (long)TextToImageEvalReport.Splits.Count * o.Groups * o.MaxN, decoded, sampling.Steps, sampling.CfgScale, clock.Elapsed.TotalSeconds, prompts);
    }

    sealed record Sampling(TextToImage T2I, int Steps, double CfgScale, ScaleRaeSampler Sampler);

    // One caption split: sample and score every candidate, decode the union of kept ones, add its rows; returns the decode count.
    static int EvaluateSplit(RaeModel model, Sampling sampling, List<ILatentVerifier> verifiers, PixelClassifier classifier, Tensor realFeatures,
        string split, IReadOnlyList<string> prompts, TextToImageEvalOptions o, List<TextToImageEvalRow> rows, IProgress<TrainingProgress>? progress,
        CancellationToken cancellation)
    {
        var labels = prompts.Select(p => FashionCaptions.LabelOf(p) ?? throw new InvalidOperationException($"caption '{p}' names no class")).ToArray();
        var distinct = prompts.Distinct().ToArray();
        var condRow = prompts.Select(p => (long)Array.IndexOf(distinct, p)).ToArray();
        int maxN = o.MaxN, total = o.Groups * maxN;
        var scores = verifiers.Select(_ => new double[total]).ToArray();
        var latents = new List<Tensor>();
        using var latentScope = NewDisposeScope();
        using var cond = sampling.T2I.Condition(distinct); // once per prompt, not per candidate
        for (int start = 0; start < total; start += o.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var ids = Enumerable.Range(start, Math.Min(o.BatchSize, total - start)).ToArray();
            var batchCond = cond.index_select(0, tensor(ids.Select(i => condRow[i / maxN]).ToArray()));
            var seeds = ids.Select(i => CandidateSeeds.Of(o.Seed, i / maxN, i % maxN)).ToArray();
            var batch = sampling.T2I.Generate(batchCond, seeds, ids.Select(_ => CandidateSeeds.NoiseIndex).ToArray(), sampling.Steps,
                sampling.CfgScale, sampling.Sampler, cancellation);
            // The probe reads the prompt's class, the LLM verifiers its text.
            var conditions = ids.Select(i => new LatentCondition(labels[i / maxN], prompts[i / maxN])).ToList();
            for (var v = 0; v < verifiers.Count; v++)
            {
                var values = verifiers[v].Score(batch, conditions).to(ScalarType.Float64).cpu().data<double>().ToArray();
                if (values.Length != ids.Length) throw new InvalidOperationException($"verifier '{verifiers[v].Name}' returned {values.Length} scores for {ids.Length} latents");
                values.CopyTo(scores[v], start);
            }
            latents.Add(batch.MoveToOuterDisposeScope());
            progress?.Report(new TrainingProgress($"sample {split}", start + ids.Length, total, new Dictionary<string, double>()));
        }
        using var all = cat(latents, 0);

        var plain = KeptImages.Plain(o.Groups, maxN, o.Keep);
        var picks = scores.Select(s => o.NList.Select(n => KeptImages.BestOf(s, o.Groups, maxN, n, o.Keep)).ToArray()).ToArray();
        using var kept = KeptImages.Decode(model, classifier, all, [plain, .. picks.SelectMany(p => p)], i => labels[i / maxN], realFeatures,
            o.BatchSize, progress, cancellation);

        rows.Add(new TextToImageEvalRow(split, TextToImageEvalRow.Plain, o.Keep, o.Keep, plain.Length, kept.Accuracy(plain), kept.Fd(plain), 0, null));
        for (var v = 0; v < verifiers.Count; v++)
            for (var r = 0; r < o.NList.Count; r++)
            {
                var ids = picks[v][r];
                rows.Add(new TextToImageEvalRow(split, verifiers[v].Name, o.NList[r], o.Keep, ids.Length, kept.Accuracy(ids), kept.Fd(ids),
                    (long)o.Groups * (o.NList[r] - o.Keep), ids.Average(i => scores[v][i])));
            }
        return kept.Decoded;
    }
}
