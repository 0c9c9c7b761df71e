using TorchSharp.Modules;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// Pre-LN block with LayerScale: h += λ1·attn(norm1(h)); h += λ2·mlp(norm2(h)). The attention has HF ViT key
/// names (<c>attention.attention.{query,key,value}</c>, <c>attention.output.dense</c>), hence the shared
/// <see cref="ViTAttention"/>.
/// </summary>
public sealed class Dinov2WithRegistersLayer : Module<Tensor, Tensor>
{
    public readonly LayerNorm norm1, norm2;
    public readonly ViTAttention attention;
    public readonly Dinov2WithRegistersLayerScale layer_scale1, layer_scale2;
    public readonly Dinov2WithRegistersMLP mlp;

    public Dinov2WithRegistersLayer(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersLayer")
    {
        norm1 = LayerNorm(config.HiddenSize, config.LayerNormEps);
        attention = new ViTAttention(config.HiddenSize, config.NumAttentionHeads, config.QkvBias);
        layer_scale1 = new Dinov2WithRegistersLayerScale(config.HiddenSize, config.LayerscaleValue);
        norm2 = LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new Dinov2WithRegistersMLP(config);
        layer_scale2 = new Dinov2WithRegistersLayerScale(config.HiddenSize, config.LayerscaleValue);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        h = layer_scale1.forward(attention.forward(norm1.forward(h))) + h;
        h = layer_scale2.forward(mlp.forward(norm2.forward(h))) + h;
        return h.MoveToOuterDisposeScope();
    }
}
