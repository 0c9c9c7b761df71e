using TorchSharp.Modules;
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
