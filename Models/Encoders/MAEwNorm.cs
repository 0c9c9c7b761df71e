using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders;

#pragma warning disable IDE1006 // field names mirror the official wrapper

/// <summary>
/// The official RAE wrapper <c>MAEwNorm</c>: ViT-MAE with masking disabled (mask ratio set to 0 after loading,
/// noise = arange so the token order is the identity), position table always interpolated, final LayerNorm
/// without affine at the config's eps (1e-12 for ViT-MAE, unlike DINOv2/SigLIP), CLS dropped.
/// </summary>
public sealed class MAEwNorm : Module<Tensor, Tensor>, IRepresentationEncoder
{
    /// <summary>The wrapped HF model (the official wrapper's field is <c>model</c>).</summary>
    public readonly ViTMAEModel model;

    /// <summary>Wraps a loaded model and sets its mask ratio to 0. Pixel mean/std default to ImageNet.</summary>
    public MAEwNorm(ViTMAEModel maeModel, PixelNormalization? pixelNormalization = null) : base("MAEwNorm")
    {
        model = maeModel;
        model.MaskRatio = 0;
        PixelNormalization = pixelNormalization ?? PixelNormalization.ImageNet;
        RegisterComponents();
    }

    public int HiddenSize => model.Config.HiddenSize;
    public int PatchSize => model.Config.PatchSize;
    public int PrefixTokens => 1;
    public double LayerNormEps => model.Config.LayerNormEps;
    public PixelNormalization PixelNormalization { get; }

    /// <summary>
    /// The official identity ordering: noise = arange(N) per sample, in the image dtype. bf16/fp16 images get
    /// float32 noise instead: those types cannot hold integers above 256/2048 exactly, and tied noise values
    /// would let argsort reorder tokens.
    /// </summary>
    public Tensor IdentityNoise(Tensor normalizedPixels)
    {
        var (b, h, w) = (normalizedPixels.shape[0], normalizedPixels.shape[2], normalizedPixels.shape[3]);
        var patches = h * w / (PatchSize * PatchSize);
        if (patches * PatchSize * PatchSize != h * w)
            throw new ArgumentException($"image size {h}x{w} is not divisible into {PatchSize}x{PatchSize} patches");
        using var scope = NewDisposeScope();
        var dtype = normalizedPixels.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : normalizedPixels.dtype;
        return arange(patches, dtype: dtype, device: normalizedPixels.device)
            .unsqueeze(0).expand(b, -1).MoveToOuterDisposeScope();
    }

    public Tensor EncodeTokens(Tensor normalizedPixels)
    {
        using var scope = NewDisposeScope();
        var h = model.Forward(normalizedPixels, IdentityNoise(normalizedPixels), interpolatePosEncoding: true).LastHiddenStatePreNorm;
        var z = functional.layer_norm(h, [h.shape[^1]], null, null, LayerNormEps);
        return z[.., PrefixTokens..].MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor normalizedPixels) => EncodeTokens(normalizedPixels);
}
