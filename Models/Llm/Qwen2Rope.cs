using static TorchSharp.torch;

namespace RAE.Grid.Models.Llm;

/// <summary>
/// HF <c>Qwen2RotaryEmbedding</c> and <c>apply_rotary_pos_emb</c>: rotation on halves (<c>rotate_half</c>), with
/// tables built in float32 exactly as HF builds its cache — inv_freq = 1/θ^(arange(0,d,2)/d), angle = position·inv_freq,
/// emb = cat(angle, angle) — whatever the model dtype, then cast to it. Rows are computed for the positions asked
/// for; each row equals HF's cached row, since every entry is one float32 product.
/// </summary>
public static class Qwen2Rope
{
    /// <summary>cos and sin tables [positions, headDim] in float32 for integer <paramref name="positions"/> (I64, 1-D).</summary>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor positions, int headDim, double theta)
    {
        using var scope = NewDisposeScope();
        var exponent = arange(0, headDim, 2, ScalarType.Int64, positions.device).to(ScalarType.Float32) / headDim;
        // Python's `1.0 / t` is `t.reciprocal()`; spelled the same way so the float32 values match HF's bit for bit.
        var invFreq = full(exponent.shape, theta, ScalarType.Float32, positions.device).pow(exponent).reciprocal();
        var angles = outer(positions.to(ScalarType.Float32), invFreq);
        var emb = cat([angles, angles], -1);
        return (emb.cos().MoveToOuterDisposeScope(), emb.sin().MoveToOuterDisposeScope());
    }

    /// <summary><c>cat(−x[..., d/2:], x[..., :d/2])</c>.</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        return cat([-x[TensorIndex.Ellipsis, TensorIndex.Slice(half)], x[TensorIndex.Ellipsis, TensorIndex.Slice(0, half)]], -1);
    }

    /// <summary><c>x·cos + rotate_half(x)·sin</c> for x [B, H, L, d] and tables [L, d] (one position row per token).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var c = cos.to(x.dtype);
        var s = sin.to(x.dtype);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }
}
