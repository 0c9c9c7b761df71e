using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Mae;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>ViTMAEModel</c> (<c>ViTMAEForPreTraining.vit</c>, e.g. <c>facebook/vit-mae-base</c>). Keys:
/// <c>embeddings.*</c>, <c>encoder.layer.N.*</c>, <c>layernorm.*</c>; under <c>vit.</c> in a pre-training checkpoint.
/// </summary>
public sealed class ViTMAEModel : Module<Tensor, Tensor>
{
    public readonly ViTMAEEmbeddings embeddings;
    public readonly ViTMAEEncoder encoder;
    public readonly LayerNorm layernorm;

    /// <summary>The configuration the model was built from.</summary>
    public ViTMAEConfig Config { get; }

    /// <summary>
    /// The masking ratio read at call time, initially the config's (0.75 in the released checkpoint). RAE's
    /// <c>MAEwNorm</c> sets it to 0 after loading, which is how the official code disables masking.
    /// </summary>
    public double MaskRatio { get; set; }

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public ViTMAEModel(ViTMAEConfig config) : base("ViTMAEModel")
    {
        Config = config;
        MaskRatio = config.MaskRatio;
        embeddings = new ViTMAEEmbeddings(config);
        encoder = new ViTMAEEncoder(config);
        layernorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>
    /// Builds the model and loads it strictly. Accepts bare <c>ViTMAEModel</c> keys, or a
    /// <c>ViTMAEForPreTraining</c> checkpoint: its <c>vit.*</c> keys are loaded and its <c>decoder.*</c> keys (the
    /// pre-training decoder RAE does not use) are ignored. Returned in eval mode with gradients off.
    /// </summary>
    public static ViTMAEModel Load(ViTMAEConfig config, IReadOnlyDictionary<string, Tensor> stateDict,
        string sourceName = "ViT-MAE checkpoint")
    {
        var model = new ViTMAEModel(config);
        StateDictLoader.LoadFrozen(model, CheckpointPrefix.Select(stateDict, "vit.", "decoder."), sourceName);
        return model;
    }

    /// <summary>HF forward with explicit noise (null = U(0,1)) and position interpolation.</summary>
    public ViTMAEOutput Forward(Tensor pixels, Tensor? noise = null, bool interpolatePosEncoding = false)
    {
        using var scope = NewDisposeScope();
        var emb = embeddings.Forward(pixels, noise, MaskRatio, interpolatePosEncoding);
        var pre = encoder.forward(emb.Embeddings);
        var last = layernorm.forward(pre);
        return new ViTMAEOutput(pre.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope(),
            new ViTMAEEmbeddingOutput(emb.Embeddings.MoveToOuterDisposeScope(), emb.Mask.MoveToOuterDisposeScope(),
                emb.IdsRestore.MoveToOuterDisposeScope(), emb.PositionEmbeddings.MoveToOuterDisposeScope()));
    }

    /// <summary>
    /// The output of every encoder layer, [B,1+kept,D] each (CLS first, before <c>layernorm</c>): HF
    /// <c>hidden_states[1..]</c> with explicit noise (null = U(0,1)). Used for feature losses and discriminators.
    /// </summary>
    public IReadOnlyList<Tensor> LayerHiddenStates(Tensor pixels, Tensor? noise = null, bool interpolatePosEncoding = false)
    {
        using var scope = NewDisposeScope();
        var emb = embeddings.Forward(pixels, noise, MaskRatio, interpolatePosEncoding);
        var outputs = encoder.ForwardAllLayers(emb.Embeddings);
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>HF last_hidden_state with random noise and no interpolation.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return Forward(pixels).LastHiddenState.MoveToOuterDisposeScope();
    }
}
