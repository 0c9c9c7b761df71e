using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// The judging half of a best-of-N evaluation over G groups of max N sampled candidates (flat id g·maxN + c): which
/// candidates plain sampling and each best-of-N selection keep, one decode of their union, and each kept set's
/// pixel-classifier accuracy and Fréchet distance to real test images. Shared by <see cref="BestOfNEvaluator"/> and
/// <see cref="TextToImageEvaluator"/>, so both judge kept images the same way.
/// </summary>
internal sealed class KeptImages : IDisposable
{
    readonly Dictionary<int, bool> _correct = [];
    readonly Dictionary<int, Tensor> _features = [];
    readonly Tensor _realFeatures;

    KeptImages(Tensor realFeatures) => _realFeatures = realFeatures;

    /// <summary>Plain sampling: candidates 0..k−1 of every group.</summary>
    public static int[] Plain(int groups, int maxN, int keep) =>
        Enumerable.Range(0, groups).SelectMany(g => Enumerable.Range(0, keep).Select(c => g * maxN + c)).ToArray();

    /// <summary>Best-of-N: <see cref="BestOfN.Select"/> of the first <paramref name="n"/> candidates' scores of every group.</summary>
    public static int[] BestOf(double[] scores, int groups, int maxN, int n, int keep) => Enumerable.Range(0, groups)
        .SelectMany(g => BestOfN.Select(scores[(g * maxN)..(g * maxN + n)], keep).Select(c => g * maxN + c)).ToArray();

    /// <summary>
    /// Decodes the union of <paramref name="keptSets"/> from <paramref name="latents"/> once, in batches, recording per
    /// candidate whether the pixel classifier says <paramref name="labelOf"/> and its pooled feature; FDs are measured
    /// against <paramref name="realFeatures"/> (not owned).
    /// </summary>
    public static KeptImages Decode(RaeModel model, PixelClassifier classifier, Tensor latents, IEnumerable<int[]> keptSets,
        Func<int, int> labelOf, Tensor realFeatures, int batchSize, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var ids = keptSets.SelectMany(s => s).Distinct().Order().ToArray();
        var kept = new KeptImages(realFeatures);
        for (int start = 0; start < ids.Length; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var part = ids[start..Math.Min(ids.Length, start + batchSize)];
            var images = model.Decode(latents.index_select(0, tensor(part.Select(i => (long)i).ToArray()))).clamp(0, 1);
            var predicted = classifier.Predict(images).data<long>().ToArray();
            var pooled = PooledFeatures.Compute(model.Encoder, images);
            for (int j = 0; j < part.Length; j++)
            {
                kept._correct[part[j]] = predicted[j] == labelOf(part[j]);
                kept._features[part[j]] = pooled[j].clone().MoveToOuterDisposeScope();
            }
            progress?.Report(new TrainingProgress("decode", start + part.Length, ids.Length, new Dictionary<string, double>()));
        }
        return kept;
    }

    /// <summary>Encoder pooled features of the first <paramref name="realImages"/> test images: the FD reference set.</summary>
    public static Tensor RealFeatures(RaeModel model, LabeledImages test, int realImages, int batchSize, IProgress<TrainingProgress>? progress)
    {
        var parts = new List<Tensor>();
        using var outer = NewDisposeScope();
        for (int start = 0; start < realImages; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(batchSize, realImages - start);
            var images = Models.Imaging.CenterCrop.Apply(test.ToFloatRgb(start, n), model.ImageSize);
            parts.Add(PooledFeatures.Compute(model.Encoder, images).MoveToOuterDisposeScope());
            progress?.Report(new TrainingProgress("real test", start + n, realImages, new Dictionary<string, double>()));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Distinct candidates decoded.</summary>
    public int Decoded => _correct.Count;

    /// <summary>Share of <paramref name="ids"/> the pixel classifier assigns to their label.</summary>
    public double Accuracy(int[] ids) => ids.Count(i => _correct[i]) / (double)ids.Length;

    /// <summary>Fréchet distance of <paramref name="ids"/>' decoded images to the real test images.</summary>
    public double Fd(int[] ids)
    {
        using var scope = NewDisposeScope();
        // In candidate order, so the same kept set gives the same number whatever its rank order.
        return FrechetDistance.Compute(stack(ids.Order().Select(i => _features[i]).ToArray(), 0), _realFeatures);
    }

    public void Dispose()
    {
        foreach (var f in _features.Values) f.Dispose();
    }
}
