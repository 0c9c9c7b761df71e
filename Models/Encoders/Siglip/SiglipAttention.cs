using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipAttention</c>: bidirectional multi-head attention with <c>q_proj</c>/<c>k_proj</c>/<c>v_proj</c>/<c>out_proj</c>,
/// scale head_dim^-0.5, and an optional additive mask [B,1,T,S] (0 or the dtype's lowest value), as HF passes it.
/// </summary>
public sealed class SiglipAttention : Module<Tensor, Tensor>
{
    private readonly int _heads;
    public readonly Linear q_proj, k_proj, v_proj, out_proj;

    public SiglipAttention(int hidden, int heads) : base("SiglipAttention")
    {
        _heads = heads;
        q_proj = Linear(hidden, hidden);
        k_proj = Linear(hidden, hidden);
        v_proj = Linear(hidden, hidden);
        out_proj = Linear(hidden, hidden);
        RegisterComponents();
    }

    /// <summary>Self-attention over [B,T,D] with an optional additive mask.</summary>
    public Tensor Forward(Tensor x, Tensor? additiveMask)
    {
        using var scope = NewDisposeScope();
        var (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor Split(Tensor y) => y.view(b, t, _heads, d / _heads).transpose(1, 2);
        var o = functional.scaled_dot_product_attention(Split(q_proj.forward(x)), Split(k_proj.forward(x)),
            Split(v_proj.forward(x)), attn_mask: additiveMask);
        return out_proj.forward(o.transpose(1, 2).reshape(b, t, d)).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);
}
