using static TorchSharp.torch;

namespace RAE.Grid.Models.Rae;

/// <summary>
/// The encoder's image processor mean/std (ImageNet for DINOv2 and MAE, 0.5/0.5 for SigLIP). Encode applies
/// (x − mean)/std to [0,1] images; the decoder's output is de-normalized with the same constants. Held as float32
/// constants, as the official code does.
/// </summary>
public sealed record PixelNormalization(float[] Mean, float[] Std)
{
    /// <summary>ImageNet mean/std (DINOv2, MAE).</summary>
    public static PixelNormalization ImageNet => new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
    /// <summary>SigLIP convention 0.5/0.5.</summary>
    public static PixelNormalization Half => new([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);

    private Tensor Column(float[] v, Tensor like) =>
        tensor(v, [1, v.Length, 1, 1], ScalarType.Float32).to(like.dtype, like.device);

    /// <summary>[B,3,H,W] in [0,1] → normalized pixels.</summary>
    public Tensor Normalize(Tensor x) => (x - Column(Mean, x)) / Column(Std, x);

    /// <summary>Normalized pixels → [0,1] scale (not clamped).</summary>
    public Tensor Denormalize(Tensor x) => x * Column(Std, x) + Column(Mean, x);
}
