using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What an encoder batch does with the loaded model: encoded image bytes → normalized latents [C,h,w]. Each image is
/// decoded within the silo's image limits and centre-cropped to the bundle's size; one that cannot be read fails alone
/// (<see cref="ItemRejectedException"/>, not retried) and the others are encoded together.
/// </summary>
public sealed class EncoderKernel(GridOptions options)
{
    /// <summary>One batch of (name, bytes) items → one result per item, in order.</summary>
    public IReadOnlyList<Result<TensorPayload>> Encode(RaeModel model, IReadOnlyList<(string Name, byte[] Bytes)> items)
    {
        if (StandInStage.For(options, StageNames.Encoder) is { } standIn) return standIn.Encode(model, items);
        using var scope = NewDisposeScope();
        var limits = new ImageLimits { MaxFileBytes = options.MaxImageBytes, MaxSide = options.MaxImageSide, MaxPixels = options.Limits.MaxImagePixels };
        var results = new Result<TensorPayload>[items.Count];
        var good = new List<(int Index, Tensor Image)>();
        for (int i = 0; i < items.Count; i++)
        {
            try { good.Add((i, CenterCrop.Apply(ImageIO.Decode(items[i].Bytes, items[i].Name, limits), model.ImageSize))); }
            catch (BadImageException e) { results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var latents = model.Encode(stack(good.Select(g => g.Image))).to(ScalarType.Float32);
            for (int j = 0; j < good.Count; j++)
                results[good[j].Index] = Result<TensorPayload>.Ok(
                    TensorPayloads.ToPayload(latents[j]).EnsureWithin(options.MaxPayloadBytes, $"latent of {items[good[j].Index].Name}"));
        }
        return results;
    }
}
