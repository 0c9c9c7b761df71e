using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

// The HF ViTMAE transformer layer (modeling_vit_mae.py), which the official RAE decoder vendors unchanged and
// the MAE encoder uses. Field names are the checkpoint key names:
//   attention.attention.{query,key,value}, attention.output.dense, intermediate.dense, output.dense,
//   layernorm_before, layernorm_after.
#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>Multi-head self-attention with separate query/key/value projections (HF ViT naming).</summary>
public sealed class ViTSelfAttention : Module<Tensor, Tensor>
{
    private readonly int _heads;
    public readonly Linear query, key, value;

    public ViTSelfAttention(int hidden, int heads, bool qkvBias) : base("ViTSelfAttention")
    {
        if (hidden % heads != 0) throw new ArgumentException($"hidden size {hidden} is not divisible by {heads} heads");
        _heads = heads;
        query = Linear(hidden, hidden, qkvBias);
        key = Linear(hidden, hidden, qkvBias);
        value = Linear(hidden, hidden, qkvBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (b, n, c) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor Split(Tensor t) => t.view(b, n, _heads, c / _heads).transpose(1, 2);
        var o = functional.scaled_dot_product_attention(Split(query.forward(x)), Split(key.forward(x)), Split(value.forward(x)));
        return o.transpose(1, 2).reshape(b, n, c);
    }
}

/// <summary>The attention output projection (<c>attention.output.dense</c>); no residual here, as in HF.</summary>
public sealed class ViTSelfOutput : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    public ViTSelfOutput(int hidden) : base("ViTSelfOutput") { dense = Linear(hidden, hidden); RegisterComponents(); }
    public override Tensor forward(Tensor x) => dense.forward(x);
}

/// <summary><c>attention</c> = self-attention followed by its output projection.</summary>
public sealed class ViTAttention : Module<Tensor, Tensor>
{
    public readonly ViTSelfAttention attention;
    public readonly ViTSelfOutput output;
    public ViTAttention(int hidden, int heads, bool qkvBias) : base("ViTAttention")
    {
        attention = new ViTSelfAttention(hidden, heads, qkvBias);
        output = new ViTSelfOutput(hidden);
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => output.forward(attention.forward(x));
}

/// <summary>MLP first half: <c>intermediate.dense</c> then the activation.</summary>
public sealed class ViTIntermediate : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    public readonly Linear dense;
    public ViTIntermediate(int hidden, int intermediateSize, string act) : base("ViTIntermediate")
    {
        dense = Linear(hidden, intermediateSize);
        _act = Activations.Get(act);
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => _act(dense.forward(x));
}

/// <summary>MLP second half: <c>output.dense</c>.</summary>
public sealed class ViTOutput : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    public ViTOutput(int intermediateSize, int hidden) : base("ViTOutput") { dense = Linear(intermediateSize, hidden); RegisterComponents(); }
    public override Tensor forward(Tensor x) => dense.forward(x);
}

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
