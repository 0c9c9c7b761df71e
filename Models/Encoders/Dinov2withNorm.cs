using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders;

#pragma warning disable IDE1006 // field names mirror the official wrapper

/// <summary>
/// The official RAE wrapper <c>Dinov2withNorm</c>: DINOv2-with-registers whose final LayerNorm keeps only the
/// normalization (weight = bias = None, eps from the config), CLS and registers dropped.
/// </summary>
public sealed class Dinov2withNorm : Module<Tensor, Tensor>, IRepresentationEncoder
{
    /// <summary>The wrapped HF model (the official wrapper's field is also named <c>encoder</c>).</summary>
    public readonly Dinov2WithRegistersModel encoder;

    /// <summary>Wraps a loaded model. Pixel mean/std default to ImageNet (the DINOv2 image processor's).</summary>
    public Dinov2withNorm(Dinov2WithRegistersModel model, PixelNormalization? pixelNormalization = null) : base("Dinov2withNorm")
    {
        encoder = model;
        PixelNormalization = pixelNormalization ?? PixelNormalization.ImageNet;
        RegisterComponents();
    }

    public int HiddenSize => encoder.Config.HiddenSize;
    public int PatchSize => encoder.Config.PatchSize;
    public int PrefixTokens => encoder.Config.PrefixTokens;
    public double LayerNormEps => encoder.Config.LayerNormEps;
    public PixelNormalization PixelNormalization { get; }

    public Tensor EncodeTokens(Tensor normalizedPixels)
    {
        using var scope = NewDisposeScope();
        var h = encoder.ForwardPreNorm(normalizedPixels);
        var z = functional.layer_norm(h, [h.shape[^1]], null, null, LayerNormEps);
        return z[.., PrefixTokens..].MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor normalizedPixels) => EncodeTokens(normalizedPixels);
}
