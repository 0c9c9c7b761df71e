using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// The attention part of the pooling head: <c>torch.nn.MultiheadAttention</c> semantics and keys
/// (<c>in_proj_weight</c> [3D,D] = rows for q, k, v; <c>in_proj_bias</c>; <c>out_proj</c>), batch-first.
/// </summary>
public sealed class SiglipPoolingAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly int _heads;
    public readonly Parameter in_proj_weight, in_proj_bias;
    public readonly Linear out_proj;

    public SiglipPoolingAttention(int hidden, int heads) : base("MultiheadAttention")
    {
        _heads = heads;
        in_proj_weight = Parameter(empty(3 * hidden, hidden));
        in_proj_bias = Parameter(zeros(3 * hidden));
        out_proj = Linear(hidden, hidden);
        RegisterComponents();
    }

    /// <summary>query [B,L,D] attends over keyValue [B,S,D] → [B,L,D].</summary>
    public override Tensor forward(Tensor query, Tensor keyValue)
    {
        using var scope = NewDisposeScope();
        var d = query.shape[2];
        var w = in_proj_weight.chunk(3, 0);
        var bias = in_proj_bias.chunk(3, 0);
        Tensor Split(Tensor y) => y.view(y.shape[0], y.shape[1], _heads, d / _heads).transpose(1, 2);
        var q = Split(functional.linear(query, w[0], bias[0]));
        var k = Split(functional.linear(keyValue, w[1], bias[1]));
        var v = Split(functional.linear(keyValue, w[2], bias[2]));
        var o = functional.scaled_dot_product_attention(q, k, v);
        return out_proj.forward(o.transpose(1, 2).reshape(query.shape[0], query.shape[1], d)).MoveToOuterDisposeScope();
    }
}
