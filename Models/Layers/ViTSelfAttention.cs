using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

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
