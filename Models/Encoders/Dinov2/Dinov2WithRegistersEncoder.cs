using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>The stack of blocks (<c>encoder.layer.N</c>).</summary>
public sealed class Dinov2WithRegistersEncoder : Module<Tensor, Tensor>
{
    public readonly ModuleList<Dinov2WithRegistersLayer> layer;

    public Dinov2WithRegistersEncoder(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersEncoder")
    {
        layer = new ModuleList<Dinov2WithRegistersLayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++) layer.Add(new Dinov2WithRegistersLayer(config));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        foreach (var l in layer) h = l.forward(h);
        return h;
    }
}
