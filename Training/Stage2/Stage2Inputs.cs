using System.Text.Json.Nodes;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage2;

/// <summary>
/// Where stage-2 training gets x1 from: the frozen RAE encoder's normalized latent (the official setting) or the
/// raw pixels (the pixel-space baseline, the same DiT on [−1, 1] images).
/// </summary>
public static class Stage2Inputs
{
    /// <summary>
    /// The official x1: <c>rae.encode(images)</c> in eval mode (so no noise augmentation), normalized by the latent
    /// statistics, computed on the fly per batch.
    /// </summary>
    public static Func<ImageBatch, Tensor> Latents(RaeEncoder encoder)
    {
        encoder.eval();
        return batch =>
        {
            using var _ = no_grad();
            var device = encoder.parameters().FirstOrDefault()?.device ?? CPU;
            return encoder.Encode(batch.Images.to(device));
        };
    }

    /// <summary>Pixel-space x1 = image·2 − 1, [B, 3, H, W] in [−1, 1].</summary>
    public static Func<ImageBatch, Tensor> Pixels { get; } = batch => batch.Images * 2 - 1;

    /// <summary>Pixels back from x: (x + 1)/2 clamped to [0, 1].</summary>
    public static Tensor PixelsToImages(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ((x + 1) / 2).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The pixel-space twin of a DiT's params: the same widths, depths and options, with the input being the image
    /// (<paramref name="channels"/> × <paramref name="imageSize"/>²) cut into <paramref name="patchSize"/>² patches.
    /// </summary>
    public static JsonObject PixelParams(JsonObject latentParams, int channels = 3, int imageSize = 28, int patchSize = 7)
    {
        var p = (JsonObject)latentParams.DeepClone();
        p["in_channels"] = channels;
        p["input_size"] = imageSize;
        p["patch_size"] = patchSize;
        return p;
    }
}
