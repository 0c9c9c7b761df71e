using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>HF <c>SiglipEncoder</c> (<c>encoder.layers.N</c>); returns the last layer's output (hidden_states[-1]).</summary>
public sealed class SiglipEncoder : Module<Tensor, Tensor>
{
    public readonly ModuleList<SiglipEncoderLayer> layers;

    public SiglipEncoder(int hidden, int heads, int intermediate, string act, double eps, int numLayers) : base("SiglipEncoder")
    {
        layers = new ModuleList<SiglipEncoderLayer>();
        for (int i = 0; i < numLayers; i++) layers.Add(new SiglipEncoderLayer(hidden, heads, intermediate, act, eps));
        RegisterComponents();
    }

    /// <summary>All layers with an optional additive attention mask.</summary>
    public Tensor Forward(Tensor h, Tensor? additiveMask)
    {
        foreach (var l in layers) h = l.Forward(h, additiveMask);
        return h;
    }

    public override Tensor forward(Tensor h) => Forward(h, null);
}
