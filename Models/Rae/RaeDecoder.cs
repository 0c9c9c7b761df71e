using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Rae;

/// <summary>
/// The decode half of the official <c>RAE</c> (<c>stage1/rae.py</c> <c>RAE.decode</c>): a normalized latent
/// [B,C,h,w] → de-normalize with the latent stats → tokens z.view(B,C,h·w)ᵀ → <see cref="GeneralDecoder"/>
/// (drop_cls_token=False) → unpatchify → ·std + mean. The result is not clamped (as in the official code); use
/// <see cref="ToUnitRange"/> for image output.
/// </summary>
/// <remarks>
/// The decoder may run in another dtype than the latent (e.g. bf16 weights on fp32 latents): the tokens are cast to
/// the decoder's dtype and device, and the logits back to the latent's dtype, so the statistics and pixel
/// constants are applied in the latent's precision.
/// </remarks>
public sealed class RaeDecoder(GeneralDecoder decoder, LatentStats stats, PixelNormalization pixels)
{
    /// <summary>The pixel decoder.</summary>
    public GeneralDecoder Decoder { get; } = decoder;
    /// <summary>Latent statistics (<c>stat.pt</c>); <see cref="LatentStats.Identity"/> when none are configured.</summary>
    public LatentStats Stats { get; } = stats;
    /// <summary>The encoder's pixel mean/std, undone on the decoder output.</summary>
    public PixelNormalization Pixels { get; } = pixels;

    /// <summary>Normalized latent [B,C,h,w] → decoder logits [B, num_patches, p·p·channels] in the latent's dtype.</summary>
    public Tensor DecodeLogits(Tensor latent)
    {
        if (latent.dim() != 4)
            throw new ArgumentException($"latent must be [B, C, h, w], got [{string.Join(",", latent.shape)}]", nameof(latent));
        using var scope = NewDisposeScope();
        var z = Stats.Denormalize(latent);
        var (b, c, h, w) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3]);
        var tokens = z.reshape(b, c, h * w).transpose(1, 2);
        var weight = Decoder.decoder_embed.weight!;
        var logits = Decoder.forward(tokens.to(weight.dtype, weight.device));
        return logits.to(latent.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Decoder logits → image [B, channels, H, W] in the encoder's [0,1] pixel scale (not clamped).</summary>
    public Tensor LogitsToImage(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var cfg = Decoder.Config;
        var image = Patchify.Unpatchify(logits, cfg.PatchSize, cfg.NumChannels, cfg.GridSize, cfg.GridSize);
        return Pixels.Denormalize(image).MoveToOuterDisposeScope();
    }

    /// <summary>The official <c>RAE.decode</c>: normalized latent [B,C,h,w] → image [B,3,H,W], not clamped.</summary>
    public Tensor Decode(Tensor latent)
    {
        using var scope = NewDisposeScope();
        return LogitsToImage(DecodeLogits(latent)).MoveToOuterDisposeScope();
    }

    /// <summary>Clamps a decoded image to [0,1], as the sample scripts do before writing images.</summary>
    public static Tensor ToUnitRange(Tensor image) => image.clamp(0.0, 1.0);
}
