using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Qwen2Attention</c>, eager path: q/k/v projections with bias, <c>o_proj</c> without; RoPE on q and k;
/// grouped-query attention where kv head j serves query heads j·g … j·g+g−1 (<c>repeat_kv</c> is repeat_interleave,
/// not tile); scores/√d + additive mask, softmax in float32 (HF's upcast), then cast back.
/// </summary>
public sealed class Qwen2Attention : Module<Tensor, Tensor>
{
    private readonly int _heads, _kvHeads, _headDim;
    public readonly Linear q_proj, k_proj, v_proj, o_proj;

    public Qwen2Attention(Qwen2Config config) : base("Qwen2Attention")
    {
        (_heads, _kvHeads, _headDim) = (config.NumAttentionHeads, config.NumKeyValueHeads, config.HeadDim);
        q_proj = Linear(config.HiddenSize, _heads * _headDim, hasBias: true);
        k_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: true);
        v_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: true);
        o_proj = Linear(_heads * _headDim, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>
    /// x [B, L, D]; cos/sin [L, d] for the new tokens' positions; <paramref name="additiveMask"/> [B, 1, L, T] over
    /// all T keys (cached + new). With a cache, this layer's new keys/values are appended to it first.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor additiveMask, Qwen2KVCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var (b, l) = (x.shape[0], x.shape[1]);
        Tensor Split(Tensor y, int heads) => y.view(b, l, heads, _headDim).transpose(1, 2);
        var q = Qwen2Rope.Apply(Split(q_proj.forward(x), _heads), cos, sin);
        var k = Qwen2Rope.Apply(Split(k_proj.forward(x), _kvHeads), cos, sin);
        var v = Split(v_proj.forward(x), _kvHeads);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        var groups = _heads / _kvHeads;
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, 1);
            v = v.repeat_interleave(groups, 1);
        }
        var scores = matmul(q, k.transpose(2, 3)) / Math.Sqrt(_headDim) + additiveMask;
        var probs = functional.softmax(scores, -1, ScalarType.Float32).to(q.dtype);
        var o = matmul(probs, v).transpose(1, 2).reshape(b, l, _heads * _headDim);
        return o_proj.forward(o).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x) =>
        throw new NotSupportedException("Qwen2Attention needs RoPE tables and a mask: call Forward");
}
