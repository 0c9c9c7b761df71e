using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>HF <c>SiglipEncoderLayer</c>: h += self_attn(layer_norm1(h)); h += mlp(layer_norm2(h)).</summary>
public sealed class SiglipEncoderLayer : Module<Tensor, Tensor>
{
    public readonly LayerNorm layer_norm1, layer_norm2;
    public readonly SiglipAttention self_attn;
    public readonly SiglipMLP mlp;

    public SiglipEncoderLayer(int hidden, int heads, int intermediate, string act, double eps) : base("SiglipEncoderLayer")
    {
        layer_norm1 = LayerNorm(hidden, eps);
        self_attn = new SiglipAttention(hidden, heads);
        layer_norm2 = LayerNorm(hidden, eps);
        mlp = new SiglipMLP(hidden, intermediate, act);
        RegisterComponents();
    }

    /// <summary>One layer with an optional additive attention mask.</summary>
    public Tensor Forward(Tensor h, Tensor? additiveMask)
    {
        using var scope = NewDisposeScope();
        h = h + self_attn.Forward(layer_norm1.forward(h), additiveMask);
        h = h + mlp.forward(layer_norm2.forward(h));
        return h.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor h) => Forward(h, null);
}
