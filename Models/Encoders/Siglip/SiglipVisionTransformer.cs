using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipVisionTransformer</c> (<c>SiglipModel.vision_model</c>; the fixed-resolution SigLIP-2 checkpoints such as
/// <c>google/siglip2-base-patch16-256</c> use it). Keys: <c>embeddings.*</c>, <c>encoder.layers.N.*</c>,
/// <c>post_layernorm.*</c>, <c>head.*</c>; in checkpoints under <c>vision_model.</c>.
/// </summary>
public sealed class SiglipVisionTransformer : Module<Tensor, Tensor>
{
    public readonly SiglipVisionEmbeddings embeddings;
    public readonly SiglipEncoder encoder;
    public readonly LayerNorm post_layernorm;
    public readonly SiglipMultiheadAttentionPoolingHead? head;

    /// <summary>The configuration the model was built from.</summary>
    public SiglipVisionConfig Config { get; }

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public SiglipVisionTransformer(SiglipVisionConfig config) : base("SiglipVisionTransformer")
    {
        Config = config;
        embeddings = new SiglipVisionEmbeddings(config);
        encoder = new SiglipEncoder(config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize,
            config.HiddenAct, config.LayerNormEps, config.NumHiddenLayers);
        post_layernorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        head = config.VisionUseHead ? new SiglipMultiheadAttentionPoolingHead(config) : null;
        RegisterComponents();
    }

    /// <summary>
    /// Builds the tower and loads it strictly. Accepts bare keys, or a <c>SiglipModel</c>/<c>SiglipVisionModel</c>
    /// checkpoint with <c>vision_model.</c> keys (its <c>text_model.*</c>, <c>logit_scale</c>, <c>logit_bias</c> are
    /// left out). Returned in eval mode with gradients off.
    /// </summary>
    public static SiglipVisionTransformer Load(SiglipVisionConfig config, IReadOnlyDictionary<string, Tensor> stateDict,
        string sourceName = "SigLIP vision checkpoint")
    {
        var model = new SiglipVisionTransformer(config);
        StateDictLoader.LoadFrozen(model, CheckpointPrefix.Select(stateDict, "vision_model.", "text_model.", "logit_scale", "logit_bias"), sourceName);
        return model;
    }

    /// <summary>hidden_states[-1]: the last layer's output before <c>post_layernorm</c>, [B,N,D].</summary>
    public Tensor ForwardPreNorm(Tensor pixels, bool interpolatePosEncoding = false)
    {
        using var scope = NewDisposeScope();
        return encoder.forward(embeddings.Forward(pixels, interpolatePosEncoding)).MoveToOuterDisposeScope();
    }

    /// <summary>HF forward: last_hidden_state (post_layernorm) and pooler_output (head).</summary>
    public SiglipVisionOutput Forward(Tensor pixels, bool interpolatePosEncoding = false)
    {
        using var scope = NewDisposeScope();
        var last = post_layernorm.forward(ForwardPreNorm(pixels, interpolatePosEncoding));
        var pooled = head?.forward(last);
        return new SiglipVisionOutput(last.MoveToOuterDisposeScope(), pooled?.MoveToOuterDisposeScope());
    }

    /// <summary>HF <c>last_hidden_state</c>.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return post_layernorm.forward(ForwardPreNorm(pixels)).MoveToOuterDisposeScope();
    }
}
