using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>The attention output projection (<c>attention.output.dense</c>); no residual here, as in HF.</summary>
public sealed class ViTSelfOutput : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    public ViTSelfOutput(int hidden) : base("ViTSelfOutput") { dense = Linear(hidden, hidden); RegisterComponents(); }
    public override Tensor forward(Tensor x) => dense.forward(x);
}
