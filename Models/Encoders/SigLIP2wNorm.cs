using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders;

#pragma warning disable IDE1006 // field names mirror the official wrapper

/// <summary>
/// The official RAE wrapper <c>SigLIP2wNorm</c>: the SigLIP vision tower with <c>post_layernorm</c>'s affine removed
/// (eps from the config), called with position interpolation on; SigLIP has no CLS, so nothing is dropped. The
/// same tensor is Scale-RAE's feature, <c>layer_norm(hidden_states[-1], eps=1e-6)</c> without affine.
/// </summary>
public sealed class SigLIP2wNorm : Module<Tensor, Tensor>, IRepresentationEncoder
{
    /// <summary>The wrapped vision tower (the official wrapper's field is <c>model</c>).</summary>
    public readonly SiglipVisionTransformer model;

    /// <summary>Wraps a loaded tower. Pixel mean/std default to SigLIP's 0.5/0.5.</summary>
    public SigLIP2wNorm(SiglipVisionTransformer visionModel, PixelNormalization? pixelNormalization = null) : base("SigLIP2wNorm")
    {
        model = visionModel;
        PixelNormalization = pixelNormalization ?? PixelNormalization.Half;
        RegisterComponents();
    }

    public int HiddenSize => model.Config.HiddenSize;
    public int PatchSize => model.Config.PatchSize;
    public int PrefixTokens => 0;
    public double LayerNormEps => model.Config.LayerNormEps;
    public PixelNormalization PixelNormalization { get; }

    public Tensor EncodeTokens(Tensor normalizedPixels)
    {
        using var scope = NewDisposeScope();
        var h = model.ForwardPreNorm(normalizedPixels, interpolatePosEncoding: true);
        return functional.layer_norm(h, [h.shape[^1]], null, null, LayerNormEps).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor normalizedPixels) => EncodeTokens(normalizedPixels);
}
