using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

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
