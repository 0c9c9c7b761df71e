using static TorchSharp.torch;

namespace RAE.Grid.Models.Diffusion;

/// <summary>adaLN helpers shared by the DiT blocks and final layers.</summary>
public static class AdaLN
{
    /// <summary>
    /// <c>x·(1 + scale) + shift</c>; <paramref name="shift"/> null for the shift-free (wo_shift) variant.
    /// shift/scale are per sample [B, 1, D] or per token [B, N, D].
    /// </summary>
    public static Tensor Modulate(Tensor x, Tensor? shift, Tensor scale)
    {
        var y = x * (scale + 1);
        return shift is null ? y : y + shift;
    }

    /// <summary>Per-sample conditioning [B, D] becomes [B, 1, D] so it broadcasts over tokens.</summary>
    public static Tensor AsTokens(Tensor c, Tensor x) => c.dim() < x.dim() ? c.unsqueeze(1) : c;
}
