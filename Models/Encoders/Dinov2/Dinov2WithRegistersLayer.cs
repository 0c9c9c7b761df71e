using TorchSharp;
using TorchSharp.Modules;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>LayerScale: a learned per-channel gain (<c>lambda1</c>) on each residual branch.</summary>
public sealed class Dinov2WithRegistersLayerScale : Module<Tensor, Tensor>
{
    public readonly Parameter lambda1;

    public Dinov2WithRegistersLayerScale(int hidden, double initValue) : base("Dinov2WithRegistersLayerScale")
    {
        lambda1 = Parameter(full(hidden, initValue));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * lambda1;
}

/// <summary>The block MLP: <c>fc1</c>, activation, <c>fc2</c>.</summary>
public sealed class Dinov2WithRegistersMLP : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    public readonly Linear fc1, fc2;

    public Dinov2WithRegistersMLP(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersMLP")
    {
        fc1 = Linear(config.HiddenSize, config.MlpHiddenSize);
        fc2 = Linear(config.MlpHiddenSize, config.HiddenSize);
        _act = RAE.Grid.Models.Layers.Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.forward(_act(fc1.forward(x)));
}

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

/// <summary>The stack of blocks (<c>encoder.layer.N</c>).</summary>
public sealed class Dinov2WithRegistersEncoder : Module<Tensor, Tensor>
{
    public readonly ModuleList<Dinov2WithRegistersLayer> layer;

    public Dinov2WithRegistersEncoder(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersEncoder")
    {
        layer = new ModuleList<Dinov2WithRegistersLayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++) layer.Add(new Dinov2WithRegistersLayer(config));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        foreach (var l in layer) h = l.forward(h);
        return h;
    }
}
