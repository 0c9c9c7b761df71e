using TorchSharp.Modules;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Mae;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>The stack of HF ViT-MAE layers (<c>encoder.layer.N</c>).</summary>
public sealed class ViTMAEEncoder : Module<Tensor, Tensor>
{
    public readonly ModuleList<ViTMAELayer> layer;

    public ViTMAEEncoder(ViTMAEConfig config) : base("ViTMAEEncoder")
    {
        layer = new ModuleList<ViTMAELayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++)
            layer.Add(new ViTMAELayer(config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize,
                config.LayerNormEps, config.HiddenAct, config.QkvBias));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        foreach (var l in layer) h = l.forward(h);
        return h;
    }

    /// <summary>Every layer's output in order (HF hidden_states[1..]); the last one equals <see cref="forward"/>.</summary>
    public IReadOnlyList<Tensor> ForwardAllLayers(Tensor h)
    {
        var outputs = new List<Tensor>(layer.Count);
        foreach (var l in layer) outputs.Add(h = l.forward(h));
        return outputs;
    }
}
