using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>MLP second half: <c>output.dense</c>.</summary>
public sealed class ViTOutput : Module<Tensor, Tensor>
{
    public readonly Linear dense;
    public ViTOutput(int intermediateSize, int hidden) : base("ViTOutput") { dense = Linear(intermediateSize, hidden); RegisterComponents(); }
    public override Tensor forward(Tensor x) => dense.forward(x);
}
