using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Final layer of lightningDiT.py / DDT.py: (shift, scale) = chunk2(adaLN_modulation(cond)), then
/// linear(norm_final(x)·(1+scale)+shift), no gate. The condition is per sample or per token.
/// </summary>
public sealed class LightningFinalLayer : Module<Tensor, Tensor, Tensor>
{
    public readonly Module<Tensor, Tensor> norm_final;
    public readonly Linear linear;
    public readonly Sequential adaLN_modulation;

    public LightningFinalLayer(int hiddenSize, int patchSize, int outChannels, bool useRmsnorm, int? condSize = null) : base("LightningFinalLayer")
    {
        norm_final = useRmsnorm ? new RMSNorm(hiddenSize) : LayerNorm(hiddenSize, 1e-6, elementwise_affine: false);
        linear = Linear(hiddenSize, patchSize * patchSize * outChannels);
        adaLN_modulation = Sequential(SiLU(), Linear(condSize ?? hiddenSize, 2 * hiddenSize));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor c)
    {
        using var scope = NewDisposeScope();
        var p = adaLN_modulation.forward(AdaLN.AsTokens(c, x)).chunk(2, -1);
        return linear.forward(AdaLN.Modulate(norm_final.forward(x), p[0], p[1])).MoveToOuterDisposeScope();
    }
}
