using TorchSharp;
using TorchSharp.Modules;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>HF <c>SiglipMLP</c>: <c>fc1</c>, activation (tanh GELU in SigLIP), <c>fc2</c>.</summary>
public sealed class SiglipMLP : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    public readonly Linear fc1, fc2;

    public SiglipMLP(int hidden, int intermediate, string act) : base("SiglipMLP")
    {
        fc1 = Linear(hidden, intermediate);
        fc2 = Linear(intermediate, hidden);
        _act = RAE.Grid.Models.Layers.Activations.Get(act);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.forward(_act(fc1.forward(x)));
}

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

/// <summary>HF <c>SiglipEncoder</c> (<c>encoder.layers.N</c>); returns the last layer's output (hidden_states[-1]).</summary>
public sealed class SiglipEncoder : Module<Tensor, Tensor>
{
    public readonly ModuleList<SiglipEncoderLayer> layers;

    public SiglipEncoder(int hidden, int heads, int intermediate, string act, double eps, int numLayers) : base("SiglipEncoder")
    {
        layers = new ModuleList<SiglipEncoderLayer>();
        for (int i = 0; i < numLayers; i++) layers.Add(new SiglipEncoderLayer(hidden, heads, intermediate, act, eps));
        RegisterComponents();
    }

    /// <summary>All layers with an optional additive attention mask.</summary>
    public Tensor Forward(Tensor h, Tensor? additiveMask)
    {
        foreach (var l in layers) h = l.Forward(h, additiveMask);
        return h;
    }

    public override Tensor forward(Tensor h) => Forward(h, null);
}
