using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// LightningDiT attention of model_utils.py: fused <c>qkv</c> Linear (with bias), optional q/k norm, RoPE on q and
/// k, scaled-dot-product attention with the default 1/√head_dim scale, <c>proj</c> Linear.
/// </summary>
public sealed class NormAttention : Module<Tensor, VisionRotaryEmbeddingFast?, Tensor>
{
    private readonly int _heads;
    public readonly Linear qkv, proj;
    public readonly Module<Tensor, Tensor>? q_norm, k_norm;

    /// <summary>
    /// <paramref name="qkNorm"/> adds per-head norms on q and k: RMSNorm when <paramref name="useRmsnorm"/>, else a
    /// LayerNorm with affine parameters and eps 1e-5 (torch's default, as the official code leaves it).
    /// </summary>
    public NormAttention(int dim, int numHeads, bool qkvBias = true, bool qkNorm = false, bool useRmsnorm = false)
        : base("NormAttention")
    {
        if (dim % numHeads != 0) throw new ArgumentException($"width {dim} is not divisible by {numHeads} heads");
        _heads = numHeads;
        var headDim = dim / numHeads;
        qkv = Linear(dim, 3 * dim, qkvBias);
        if (qkNorm)
        {
            q_norm = useRmsnorm ? new RMSNorm(headDim) : LayerNorm(headDim);
            k_norm = useRmsnorm ? new RMSNorm(headDim) : LayerNorm(headDim);
        }
        proj = Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, VisionRotaryEmbeddingFast? rope)
    {
        using var scope = NewDisposeScope();
        var (b, n, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var parts = qkv.forward(x).reshape(b, n, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4).unbind(0);
        Tensor q = parts[0], k = parts[1], v = parts[2];
        if (q_norm is not null) { q = q_norm.forward(q); k = k_norm!.forward(k); }
        if (rope is not null) { q = rope.forward(q); k = rope.forward(k); }
        // RoPE tables may have another dtype than the activations; attention runs in v's dtype, as officially.
        var o = functional.scaled_dot_product_attention(q.to(v.dtype), k.to(v.dtype), v);
        return proj.forward(o.transpose(1, 2).reshape(b, n, c)).MoveToOuterDisposeScope();
    }
}
