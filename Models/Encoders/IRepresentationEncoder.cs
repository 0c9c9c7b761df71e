using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders;

/// <summary>
/// A frozen representation encoder as RAE uses it (the official <c>Dinov2withNorm</c>, <c>SigLIP2wNorm</c>,
/// <c>MAEwNorm</c> wrappers): normalized pixels in, patch tokens out, after the final LayerNorm with its affine
/// removed, and with the prefix tokens (CLS, registers) dropped.
/// </summary>
public interface IRepresentationEncoder
{
    /// <summary>Token width D (the latent channel count).</summary>
    int HiddenSize { get; }

    /// <summary>Pixels per patch side; the latent grid is input_size / PatchSize.</summary>
    int PatchSize { get; }

    /// <summary>Tokens dropped before the patch tokens: 1 + registers for DINOv2, 1 (CLS) for MAE, 0 for SigLIP.</summary>
    int PrefixTokens { get; }

    /// <summary>Epsilon of the parameter-free final LayerNorm (from the encoder config).</summary>
    double LayerNormEps { get; }

    /// <summary>The encoder's image-processor mean/std, applied by RAE before <see cref="EncodeTokens"/>.</summary>
    PixelNormalization PixelNormalization { get; }

    /// <summary>[B,3,H,W] normalized pixels → [B,N,D] patch tokens, row-major over the patch grid.</summary>
    Tensor EncodeTokens(Tensor normalizedPixels);
}
