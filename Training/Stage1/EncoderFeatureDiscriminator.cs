using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

#pragma warning disable IDE1006 // names mirror the official module's keys

/// <summary>
/// The stage-1 discriminator, shaped like the official DINO discriminator (<c>src/disc</c>): a frozen ViT feature
/// network tapped at several depths, one trainable <see cref="DiscriminatorHead"/> per tap, logits of all tokens and
/// heads concatenated. The official network is a separate DINO-v1 ViT-S/8 tapped at blocks 2, 5, 8, 11 plus its
/// final (normed) output; here the frozen representation encoder (ViT-MAE) is used, tapped after every layer plus
/// the final LayerNorm'd output. Only <c>heads</c> are parameters of this module (the encoder is not registered,
/// so checkpoints hold the heads alone).
/// </summary>
public sealed class EncoderFeatureDiscriminator : Module<Tensor, Tensor>
{
    public readonly ModuleList<DiscriminatorHead> heads;
    readonly FrozenMaeFeatures _features;

    /// <summary>One head per encoder layer plus one for the final normed output.</summary>
    public EncoderFeatureDiscriminator(FrozenMaeFeatures features, int virtualBatchSize = 8) : base("DinoDisc")
    {
        _features = features;
        heads = new ModuleList<DiscriminatorHead>();
        for (int i = 0; i < features.LayerCount + 1; i++) heads.Add(new DiscriminatorHead(features.HiddenSize, virtualBatchSize));
        RegisterComponents();
    }

    /// <summary>[B,3,H,W] images in [0,1] (already augmented) → logits [B, heads·tokens].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var layers = _features.Layers(images);
        var taps = layers.Append(_features.FinalNorm(layers[^1])).ToList();
        var logits = taps.Select((t, i) => heads[i].forward(t)).ToList();
        return cat(logits, 1).MoveToOuterDisposeScope();
    }
}
