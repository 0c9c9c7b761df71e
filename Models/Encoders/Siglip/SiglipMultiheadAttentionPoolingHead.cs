using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipMultiheadAttentionPoolingHead</c>: a learned <c>probe</c> token attends over the tokens, then
/// y = a + mlp(layernorm(a)); the pooled vector is token 0.
/// </summary>
public sealed class SiglipMultiheadAttentionPoolingHead : Module<Tensor, Tensor>
{
    public readonly Parameter probe;
    public readonly SiglipPoolingAttention attention;
    public readonly LayerNorm layernorm;
    public readonly SiglipMLP mlp;

    public SiglipMultiheadAttentionPoolingHead(SiglipVisionConfig config) : base("SiglipMultiheadAttentionPoolingHead")
    {
        probe = Parameter(zeros(1, 1, config.HiddenSize));
        attention = new SiglipPoolingAttention(config.HiddenSize, config.NumAttentionHeads);
        layernorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new SiglipMLP(config.HiddenSize, config.IntermediateSize, config.HiddenAct);
        RegisterComponents();
    }

    /// <summary>[B,N,D] → [B,D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var a = attention.forward(probe.expand(tokens.shape[0], -1, -1), tokens);
        a = a + mlp.forward(layernorm.forward(a));
        return a[.., 0].MoveToOuterDisposeScope();
    }
}
