using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What a decoder batch does with the loaded model: latents [C,h,w] → PNGs, centre-cropped to the requested output size
/// when one is given (a batch holds one size: the stage groups items by it). A latent not of the bundle's latent shape
/// fails alone (<see cref="ItemRejectedException"/>); the others are decoded together.
/// </summary>
public sealed class DecoderKernel(GridOptions options)
{
    /// <summary>One batch of (latent, output size) items → one decoded image per item, in order.</summary>
    public IReadOnlyList<Result<DecodedImage>> Decode(RaeModel model, IReadOnlyList<(TensorPayload Latent, int? Size)> items)
    {
        if (StandInStage.For(options, StageNames.Decoder) is { } standIn) return standIn.Decode(model, items);
        using var scope = NewDisposeScope();
        var results = new Result<DecodedImage>[items.Count];
        var good = new List<(int Index, Tensor Latent)>();
        for (int i = 0; i < items.Count; i++)
        {
            try { good.Add((i, TensorPayloads.ToLatent(model, items[i].Latent))); }
            catch (ArgumentException e) { results[i] = Result<DecodedImage>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var images = model.Decode(stack(good.Select(g => g.Latent)));
            var size = items[good[0].Index].Size;
            if (size is int s) images = CenterCrop.Apply(images, s);
            for (int j = 0; j < good.Count; j++)
                results[good[j].Index] = Result<DecodedImage>.Ok(
                    new DecodedImage(ImageIO.EncodePng(images[j]), (int)images.shape[3], (int)images.shape[2]));
        }
        return results;
    }
}
