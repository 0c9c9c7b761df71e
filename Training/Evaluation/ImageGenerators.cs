using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// The common class-conditional image generator delegate, (labels, seed) → images [B, 3, H, W] in [0, 1] (float32,
/// CPU), for latent bundles; <see cref="Stage2.PixelSpaceGenerator.AsDelegate"/> gives the pixel baseline's.
/// </summary>
public static class ImageGenerators
{
    /// <summary>
    /// Latent generation: <see cref="RaeModel.GenerateLatents(IReadOnlyList{long}, long, IReadOnlyList{long}, SamplingSettings?, CancellationToken)"/>
    /// with item indices 0..B−1, then <see cref="RaeModel.Decode"/> clamped to [0, 1].
    /// </summary>
    public static Func<long[], long, Tensor> ForBundle(RaeModel model, SamplingSettings? settings = null) => (labels, seed) =>
    {
        using var scope = NewDisposeScope();
        var latents = model.GenerateLatents(labels, seed, Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray(), settings);
        return model.Decode(latents).clamp(0, 1).MoveToOuterDisposeScope();
    };
}
