using static TorchSharp.torch;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// 2-D rotary position embedding of model_utils.py (EVA's <c>VisionRotaryEmbeddingFast</c>, 'lang' frequencies).
/// Buffers <c>freqs_cos</c>/<c>freqs_sin</c> of shape [S², head_dim] are part of the official state dict: row n is
/// token n in row-major order, the first head_dim/2 columns rotate with the token's grid row and the last
/// head_dim/2 with its column; frequency k is 1/θ^(2k/dim) with dim = head_dim/2, each repeated twice for the
/// interleaved pairs that <see cref="RotateHalf"/> rotates.
/// </summary>
public sealed class VisionRotaryEmbeddingFast : nn.Module<Tensor, Tensor>
{
    public readonly Tensor freqs_cos, freqs_sin;

    /// <summary>
    /// Builds the tables for <paramref name="dim"/> = head_dim/2 on a <paramref name="ptSeqLen"/>² grid, exactly as
    /// the official constructor does in float32 (load the checkpoint's copies anyway).
    /// </summary>
    public VisionRotaryEmbeddingFast(int dim, int ptSeqLen, int? ftSeqLen = null, double theta = 10000)
        : base("VisionRotaryEmbeddingFast")
    {
        if (dim <= 0 || dim % 2 != 0)
            throw new ArgumentException($"RoPE dim (head_dim/2) must be a positive even number, got {dim}");
        (freqs_cos, freqs_sin) = BuildTables(dim, ptSeqLen, ftSeqLen ?? ptSeqLen, theta);
        RegisterComponents();
    }

    /// <summary>The official float32 construction, op by op (so it matches torch bit for bit on CPU).</summary>
    public static (Tensor Cos, Tensor Sin) BuildTables(int dim, int ptSeqLen, int ftSeqLen, double theta = 10000)
    {
        using var scope = NewDisposeScope();
        // freqs = 1 / theta ** (arange(0, dim, 2)[:dim//2].float() / dim); `1 / x` is reciprocal() * 1 in torch.
        var k = arange(0, dim, 2, dtype: ScalarType.Int64).slice(0, 0, dim / 2, 1).to(ScalarType.Float32);
        var exponent = k / (double)dim;
        var freqs = full(exponent.shape, theta, ScalarType.Float32).pow(exponent).reciprocal();
        // t = arange(ft) / ft * pt  (int64 true division → float32)
        var t = arange(ftSeqLen, dtype: ScalarType.Int64).to(ScalarType.Float32) / (double)ftSeqLen * (double)ptSeqLen;
        var f = (t.unsqueeze(1) * freqs.unsqueeze(0)).repeat_interleave(2, -1);      // [S, dim]
        var s = ftSeqLen;
        var rows = f.unsqueeze(1).expand(s, s, dim);                                    // grid row index
        var cols = f.unsqueeze(0).expand(s, s, dim);                                    // grid column index
        var grid = cat([rows, cols], -1);                                               // [S, S, 2·dim]
        var cos = grid.cos().view(-1, 2 * dim);
        var sin = grid.sin().view(-1, 2 * dim);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Interleaved-pair rotation (x0, x1, x2, x3, …) → (−x1, x0, −x3, x2, …).</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pairs = x.reshape([.. x.shape[..^1], x.shape[^1] / 2, 2]);
        var rotated = stack([-pairs.select(-1, 1), pairs.select(-1, 0)], -1);
        return rotated.reshape(x.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Rotates q or k of shape [B, heads, L, head_dim]: t·cos + rotate_half(t)·sin.</summary>
    public override Tensor forward(Tensor t)
    {
        if (t.shape[^2] != freqs_cos.shape[0] || t.shape[^1] != freqs_cos.shape[1])
            throw new ArgumentException(
                $"RoPE table is [{freqs_cos.shape[0]}, {freqs_cos.shape[1]}] but the input has {t.shape[^2]} tokens of width {t.shape[^1]}");
        using var scope = NewDisposeScope();
        return (t * freqs_cos + RotateHalf(t) * freqs_sin).MoveToOuterDisposeScope();
    }
}
