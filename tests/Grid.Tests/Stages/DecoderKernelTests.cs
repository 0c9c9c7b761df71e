using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grid.Tests.Cluster;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>A decoder batch: latents of the bundle's shape become PNGs, of the requested size when one is given.</summary>
[Collection(KernelModelsCollection.Name)]
public sealed class DecoderKernelTests(KernelModels models)
{
    TensorPayload Latent(long seed) => TensorPayloads.ToPayload(randn(models.Tiny.LatentShape, generator: new Generator((ulong)seed)));

    [Fact]
    public void A_latent_of_another_shape_fails_alone_naming_the_bundles_latent_shape()
    {
        var shape = models.Tiny.LatentShape;
        var wrong = TensorPayloads.ToPayload(zeros([shape[0] + 1, shape[1], shape[2]]));
        var results = new DecoderKernel(new GridOptions()).Decode(models.Tiny, [(wrong, null), (Latent(1), null)]);

        var rejected = Assert.IsType<ItemRejectedException>(results[0].Error);
        Assert.Contains($"latent shape [{string.Join(",", shape)}]", rejected.Message);
        var image = results[1].Value!;
        Assert.Equal((models.Tiny.ImageSize, models.Tiny.ImageSize), (image.Width, image.Height));
        Assert.Equal((image.Width, image.Height), TestInputs.PngSize(image.Png));
    }

    [Fact]
    public void An_output_size_centre_crops_every_decoded_image_to_it()
    {
        var size = models.Tiny.ImageSize / 2;
        var results = new DecoderKernel(new GridOptions()).Decode(models.Tiny, [(Latent(1), size), (Latent(2), size)]);

        foreach (var r in results)
        {
            Assert.Equal((size, size), (r.Value!.Width, r.Value.Height));
            Assert.Equal((size, size), TestInputs.PngSize(r.Value.Png));
        }
    }
}
