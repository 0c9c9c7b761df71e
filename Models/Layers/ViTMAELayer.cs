using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

// The HF ViTMAE transformer layer (modeling_vit_mae.py), which the official RAE decoder vendors unchanged and
// the MAE encoder uses. Field names are the checkpoint key names:
//   attention.attention.{query,key,value}, attention.output.dense, intermediate.dense, output.dense,
//   layernorm_before, layernorm_after.
#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>Pre-LN ViT layer: x += attn(LN_before(x)); x += mlp(LN_after(x)).</summary>
public sealed class ViTMAELayer : Module<Tensor, Tensor>
{
    public readonly ViTAttention attention;
    public readonly ViTIntermediate intermediate;
    public readonly ViTOutput output;
    public readonly LayerNorm layernorm_before, layernorm_after;

    public ViTMAELayer(int hidden, int heads, int intermediateSize, double eps, string act = "gelu", bool qkvBias = true)
        : base("ViTMAELayer")
    {
        attention = new ViTAttention(hidden, heads, qkvBias);
        intermediate = new ViTIntermediate(hidden, intermediateSize, act);
        output = new ViTOutput(intermediateSize, hidden);
        layernorm_before = LayerNorm(hidden, eps);
        layernorm_after = LayerNorm(hidden, eps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + attention.forward(layernorm_before.forward(x));
        return x + output.forward(intermediate.forward(layernorm_after.forward(x)));
    }
}
