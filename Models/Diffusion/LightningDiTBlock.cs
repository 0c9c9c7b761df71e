using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// The adaLN transformer block of lightningDiT.py (<c>LightningDiTBlock</c>) and DDT.py (<c>LightningDDTBlock</c>,
/// same parameters): (shift, scale, gate)×2 = chunk6(adaLN_modulation(cond));
/// x += gate1·attn(norm1(x)·(1+scale1)+shift1); x += gate2·mlp(norm2(x)·(1+scale2)+shift2).
/// The condition is per sample [B, D] (LightningDiT, DiT-DH backbone) or per token [B, N, D] (DiT-DH head).
/// </summary>
public sealed class LightningDiTBlock : Module<Tensor, Tensor, VisionRotaryEmbeddingFast?, Tensor>
{
    private readonly bool _woShift;
    public readonly Module<Tensor, Tensor> norm1, norm2, mlp;
    public readonly NormAttention attn;
    public readonly Sequential adaLN_modulation;

    public LightningDiTBlock(int hiddenSize, int numHeads, double mlpRatio = 4.0, bool useQkNorm = false,
        bool useSwiglu = true, bool useRmsnorm = true, bool woShift = false, int? condSize = null) : base("LightningDiTBlock")
    {
        _woShift = woShift;
        norm1 = useRmsnorm ? new RMSNorm(hiddenSize) : LayerNorm(hiddenSize, 1e-6, elementwise_affine: false);
        norm2 = useRmsnorm ? new RMSNorm(hiddenSize) : LayerNorm(hiddenSize, 1e-6, elementwise_affine: false);
        attn = new NormAttention(hiddenSize, numHeads, qkvBias: true, qkNorm: useQkNorm, useRmsnorm: useRmsnorm);
        var mlpHidden = (long)(hiddenSize * mlpRatio);
        mlp = useSwiglu ? new SwiGLUFFN(hiddenSize, SwiGLUFFN.HiddenFor(hiddenSize, mlpRatio)) : new Mlp(hiddenSize, mlpHidden);
        // Scale-RAE's diffusion head conditions on z_channels-wide tokens, not on the block width.
        adaLN_modulation = Sequential(SiLU(), Linear(condSize ?? hiddenSize, (woShift ? 4 : 6) * hiddenSize));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor c, VisionRotaryEmbeddingFast? rope)
    {
        using var scope = NewDisposeScope();
        var m = adaLN_modulation.forward(AdaLN.AsTokens(c, x));
        Tensor? shiftMsa = null, shiftMlp = null;
        Tensor scaleMsa, gateMsa, scaleMlp, gateMlp;
        if (_woShift)
        {
            var p = m.chunk(4, -1);
            (scaleMsa, gateMsa, scaleMlp, gateMlp) = (p[0], p[1], p[2], p[3]);
        }
        else
        {
            var p = m.chunk(6, -1);
            (shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp) = (p[0], p[1], p[2], p[3], p[4], p[5]);
        }
        x = x + gateMsa * attn.forward(AdaLN.Modulate(norm1.forward(x), shiftMsa, scaleMsa), rope);
        x = x + gateMlp * mlp.forward(AdaLN.Modulate(norm2.forward(x), shiftMlp, scaleMlp));
        return x.MoveToOuterDisposeScope();
    }
}
