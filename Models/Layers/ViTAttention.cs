using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

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
