using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// Per-layer token features of the frozen ViT-MAE inside a <see cref="RaeEncoder"/> (its <see cref="MAEwNorm"/>):
/// [0,1] images → the RAE's resize and pixel normalization → ViT-MAE with the identity token order (mask ratio 0) →
/// every layer's output with the CLS token dropped. Shared by the perceptual loss and the discriminator, which both
/// use the representation encoder as their frozen feature network. Not a module, so holders do not register (and
/// checkpoint) the encoder's weights.
/// </summary>
public sealed class FrozenMaeFeatures
{
    readonly RaeEncoder _rae;
    readonly MAEwNorm _mae;

    /// <summary>Wraps the RAE encoder; its representation encoder must be a <see cref="MAEwNorm"/>.</summary>
    public FrozenMaeFeatures(RaeEncoder rae)
    {
        _rae = rae;
        _mae = rae.RepresentationEncoder as MAEwNorm
               ?? throw new ArgumentException($"encoder feature losses need an MAEwNorm encoder, got {rae.RepresentationEncoder.GetType().Name}");
        foreach (var p in _mae.parameters()) p.requires_grad = false;
    }

    /// <summary>Number of encoder layers (features returned by <see cref="Layers"/>).</summary>
    public int LayerCount => _mae.model.Config.NumHiddenLayers;

    /// <summary>Token width of every layer.</summary>
    public int HiddenSize => _mae.HiddenSize;

    /// <summary>
    /// [B,3,H,W] images in [0,1] → one [B,N,D] tensor per layer (patch tokens only, before the final LayerNorm).
    /// Gradients flow to <paramref name="images"/> only: the encoder's parameters do not require grad.
    /// </summary>
    public IReadOnlyList<Tensor> Layers(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pixels = _rae.PrepareInput(images);
        var states = _mae.model.LayerHiddenStates(pixels, _mae.IdentityNoise(pixels), interpolatePosEncoding: true);
        var tokens = states.Select(s => s[.., _mae.PrefixTokens..].MoveToOuterDisposeScope()).ToList();
        return tokens;
    }

    /// <summary>The model's final LayerNorm (with its affine, as HF's last_hidden_state) applied to a layer output.</summary>
    public Tensor FinalNorm(Tensor tokens) => _mae.model.layernorm.forward(tokens);
}
