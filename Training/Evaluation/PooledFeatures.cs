using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// The frozen representation encoder's pooled feature of an image: the mean over patch tokens of
/// <c>encoder.EncodeTokens(PrepareInput(images))</c> (resized, pixel-normalized, no noise, no latent statistics),
/// the feature space this project's Fréchet distance is measured in (in place of Inception).
/// </summary>
public static class PooledFeatures
{
    /// <summary>[B,3,H,W] images in [0,1] (any device/dtype) → [B,C] float64 features on the CPU.</summary>
    public static Tensor Compute(RaeEncoder encoder, Tensor images)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        // Run where the encoder lives, in its dtype.
        var p = encoder.parameters().First();
        var tokens = encoder.RepresentationEncoder.EncodeTokens(encoder.PrepareInput(images.to(p.dtype, p.device)));
        return tokens.mean([1]).to(ScalarType.Float64).cpu().MoveToOuterDisposeScope();
    }
}
