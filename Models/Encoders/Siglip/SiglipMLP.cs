using TorchSharp.Modules;
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
