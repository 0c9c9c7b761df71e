using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// The perceptual term of stage-1 decoder training. The official recipe uses VGG16 LPIPS, whose weights this project
/// does not have, so this is an LPIPS-style distance in the frozen representation encoder instead: reconstruction and
/// target go through the frozen ViT-MAE (<see cref="FrozenMaeFeatures"/>); at every layer each token's channels are
/// unit-normalized (as LPIPS normalizes channels, eps 1e-10), the squared difference is summed over channels,
/// averaged over tokens, then over layers, then over the batch. LPIPS's learned per-channel weights have no
/// counterpart (all ones). Gradients reach the reconstruction only; the encoder stays frozen.
/// </summary>
public sealed class EncoderFeatureLoss(FrozenMaeFeatures features)
{
    /// <summary>The feature network.</summary>
    public FrozenMaeFeatures Features { get; } = features;

    /// <summary>Builds the loss on the representation encoder of <paramref name="rae"/> (an MAEwNorm).</summary>
    public EncoderFeatureLoss(RaeEncoder rae) : this(new FrozenMaeFeatures(rae)) { }

    /// <summary>Scalar loss of <paramref name="reconstruction"/> against <paramref name="target"/>, both [B,3,H,W] in [0,1].</summary>
    public Tensor Forward(Tensor reconstruction, Tensor target)
    {
        using var scope = NewDisposeScope();
        IReadOnlyList<Tensor> targetFeatures;
        using (no_grad()) targetFeatures = Features.Layers(target);
        var reconFeatures = Features.Layers(reconstruction);
        Tensor total = zeros(1, dtype: reconstruction.dtype, device: reconstruction.device).squeeze();
        for (int i = 0; i < reconFeatures.Count; i++)
        {
            var diff = UnitChannels(reconFeatures[i]) - UnitChannels(targetFeatures[i]);
            total = total + diff.square().sum(-1).mean();
        }
        return (total / reconFeatures.Count).MoveToOuterDisposeScope();
    }

    // LPIPS normalize_tensor: x / (sqrt(sum x²) + 1e-10) over channels.
    static Tensor UnitChannels(Tensor x) => x / (x.square().sum(-1, keepdim: true).sqrt() + 1e-10);
}
