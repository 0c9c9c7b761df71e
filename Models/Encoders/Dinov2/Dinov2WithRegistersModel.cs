using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Dinov2WithRegistersModel</c> (the RAE default encoder, <c>facebook/dinov2-with-registers-base</c>), with
/// the HF state-dict keys: <c>embeddings.*</c>, <c>encoder.layer.N.*</c>, <c>layernorm.*</c>.
/// <see cref="Module{T,TResult}.forward"/> returns HF's <c>last_hidden_state</c> [B, 1+R+N, D] (final LayerNorm with its affine).
/// </summary>
public sealed class Dinov2WithRegistersModel : Module<Tensor, Tensor>
{
    public readonly Dinov2WithRegistersEmbeddings embeddings;
    public readonly Dinov2WithRegistersEncoder encoder;
    public readonly LayerNorm layernorm;

    /// <summary>The configuration the model was built from.</summary>
    public Dinov2WithRegistersConfig Config { get; }

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public Dinov2WithRegistersModel(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersModel")
    {
        Config = config;
        embeddings = new Dinov2WithRegistersEmbeddings(config);
        encoder = new Dinov2WithRegistersEncoder(config);
        layernorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>
    /// Builds the model and loads an HF state dict strictly (every key, every shape). Keys may be bare, as
    /// <c>Dinov2WithRegistersModel</c> saves them, or under <c>dinov2_with_registers.</c> (the HF task-head models).
    /// The model is returned in eval mode with gradients off: the encoder is frozen in RAE.
    /// </summary>
    public static Dinov2WithRegistersModel Load(Dinov2WithRegistersConfig config,
        IReadOnlyDictionary<string, Tensor> stateDict, string sourceName = "DINOv2-with-registers checkpoint")
    {
        var model = new Dinov2WithRegistersModel(config);
        StateDictLoader.LoadFrozen(model, CheckpointPrefix.Select(stateDict, "dinov2_with_registers.", "classifier."), sourceName);
        return model;
    }

    /// <summary>[B,C,H,W] normalized pixels → the last block's output before the final LayerNorm, [B, 1+R+N, D].</summary>
    public Tensor ForwardPreNorm(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return encoder.forward(embeddings.forward(pixels)).MoveToOuterDisposeScope();
    }

    /// <summary>HF <c>last_hidden_state</c>: <see cref="ForwardPreNorm"/> then <c>layernorm</c> with its affine.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return layernorm.forward(ForwardPreNorm(pixels)).MoveToOuterDisposeScope();
    }
}
