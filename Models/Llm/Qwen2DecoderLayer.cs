using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>HF <c>Qwen2DecoderLayer</c>: pre-norm attention and pre-norm SwiGLU MLP, each added to the residual.</summary>
public sealed class Qwen2DecoderLayer : Module<Tensor, Tensor>
{
    public readonly Qwen2Attention self_attn;
    public readonly Qwen2MLP mlp;
    public readonly RMSNorm input_layernorm, post_attention_layernorm;

    public Qwen2DecoderLayer(Qwen2Config config) : base("Qwen2DecoderLayer")
    {
        self_attn = new Qwen2Attention(config);
        mlp = new Qwen2MLP(config);
        input_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        post_attention_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    /// <summary>One layer over h [B, L, D]; see <see cref="Qwen2Attention.Forward"/> for the other arguments.</summary>
    public Tensor Forward(Tensor h, Tensor cos, Tensor sin, Tensor additiveMask, Qwen2KVCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        h = h + self_attn.Forward(input_layernorm.forward(h), cos, sin, additiveMask, cache, layer);
        h = h + mlp.forward(post_attention_layernorm.forward(h));
        return h.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor h) =>
        throw new NotSupportedException("Qwen2DecoderLayer needs RoPE tables and a mask: call Forward");
}
