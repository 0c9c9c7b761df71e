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

    /// <summary>
    /// Tokens [B, (H/p)·(W/p), p·p·C] back to an image [B, C, H, W] (official <c>unpatchify</c>: einsum nhwpqc→nchpwq).
    /// </summary>
    public static Tensor Unpatchify(Tensor x, int patchSize, long channels)
    {
        var (b, n) = (x.shape[0], x.shape[1]);
        var h = (long)Math.Round(Math.Sqrt(n));
        if (h * h != n) throw new ArgumentException($"{n} tokens do not form a square grid");
        if (x.shape[2] != patchSize * patchSize * channels)
            throw new ArgumentException($"token width {x.shape[2]} is not patch²·channels = {patchSize * patchSize * channels}");
        using var scope = NewDisposeScope();
        var y = x.reshape(b, h, h, patchSize, patchSize, channels).permute(0, 5, 1, 3, 2, 4);
        return y.reshape(b, channels, h * patchSize, h * patchSize).MoveToOuterDisposeScope();
    }
}
