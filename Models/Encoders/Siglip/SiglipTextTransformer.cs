using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipTextTransformer</c> (<c>SiglipModel.text_model</c>; SigLIP-2's text tower is the same code). No causal
/// mask. Pooling takes the LAST position, whatever token sits there (with right padding, a pad token), unlike
/// CLIP's EOS pooling. Keys: <c>embeddings.*</c>, <c>encoder.layers.N.*</c>, <c>final_layer_norm.*</c>, <c>head.*</c>.
/// </summary>
public sealed class SiglipTextTransformer : Module<Tensor, Tensor>
{
    public readonly SiglipTextEmbeddings embeddings;
    public readonly SiglipEncoder encoder;
    public readonly LayerNorm final_layer_norm;
    public readonly Linear head;

    /// <summary>The configuration the model was built from.</summary>
    public SiglipTextConfig Config { get; }

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public SiglipTextTransformer(SiglipTextConfig config) : base("SiglipTextTransformer")
    {
        Config = config;
        embeddings = new SiglipTextEmbeddings(config);
        encoder = new SiglipEncoder(config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize,
            config.HiddenAct, config.LayerNormEps, config.NumHiddenLayers);
        final_layer_norm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        head = Linear(config.HiddenSize, config.ProjectionSize);
        RegisterComponents();
    }

    /// <summary>
    /// Builds the tower and loads it strictly. Accepts bare keys, or a <c>SiglipModel</c>/<c>SiglipTextModel</c>
    /// checkpoint with <c>text_model.</c> keys (the vision tower and logit parameters are left out).
    /// </summary>
    public static SiglipTextTransformer Load(SiglipTextConfig config, IReadOnlyDictionary<string, Tensor> stateDict,
        string sourceName = "SigLIP text checkpoint")
    {
        var model = new SiglipTextTransformer(config);
        StateDictLoader.LoadFrozen(model, CheckpointPrefix.Select(stateDict, "text_model.", "vision_model.", "logit_scale", "logit_bias"), sourceName);
        return model;
    }

    /// <summary>
    /// The HF additive mask for a [B,S] 0/1 attention mask: [B,1,1,S], 0 where attended and the dtype's lowest
    /// finite value where masked, so masked keys get exactly zero weight (HF <c>_prepare_4d_attention_mask</c>).
    /// </summary>
    public static Tensor AdditiveMask(Tensor attentionMask, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var lowest = dtype switch
        {
            ScalarType.Float32 => float.MinValue,
            ScalarType.Float64 => double.MinValue,
            ScalarType.BFloat16 => -3.3895313892515355e38,
            ScalarType.Float16 => -65504.0,
            _ => throw new ArgumentException($"unsupported dtype {dtype} for an attention mask"),
        };
        var inverted = 1.0 - attentionMask.to(dtype);
        return (inverted * lowest).unsqueeze(1).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The last layer's output before <c>final_layer_norm</c>. <paramref name="attentionMask"/> ([B,T], 1 = keep)
    /// is optional: SigLIP is trained without one, and HF uses it only when it is passed.
    /// </summary>
    public Tensor ForwardPreNorm(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        var h = embeddings.forward(inputIds);
        var mask = attentionMask is null ? null : AdditiveMask(attentionMask, h.dtype);
        return encoder.Forward(h, mask).MoveToOuterDisposeScope();
    }

    /// <summary>HF forward: last_hidden_state and pooler_output.</summary>
    public SiglipTextOutput Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        var last = final_layer_norm.forward(ForwardPreNorm(inputIds, attentionMask));
        var pooled = head.forward(last[.., -1, ..]);
        return new SiglipTextOutput(last.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }

    /// <summary>pooler_output without a mask.</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        return Forward(inputIds).PoolerOutput.MoveToOuterDisposeScope();
    }
}
