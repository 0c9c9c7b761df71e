using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

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
