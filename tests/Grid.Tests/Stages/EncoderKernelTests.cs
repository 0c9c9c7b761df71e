using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>An encoder batch: each image is read alone, so one bad file fails only its own item.</summary>
[Collection(KernelModelsCollection.Name)]
public sealed class EncoderKernelTests(KernelModels models)
{
    static (string Name, byte[] Bytes) Png(int index)
    {
        var image = TestInputs.RandomPngs(index + 1, seed: 3)[index];
        return (image.Name, image.Inline!);
    }

    [Fact]
    public void An_unreadable_image_fails_alone_naming_it_and_the_others_are_encoded()
    {
        var results = new EncoderKernel(new GridOptions()).Encode(models.Tiny, [("notes.txt", "not an image"u8.ToArray()), Png(0), Png(1)]);

        var rejected = Assert.IsType<ItemRejectedException>(results[0].Error);
        Assert.Contains("notes.txt", rejected.Message);
        foreach (var ok in results.Skip(1))
        {
            Assert.Null(ok.Error);
            Assert.Equal(models.Tiny.LatentShape, ok.Value!.Shape);
            Assert.Equal("F32", ok.Value.DType);
        }
    }

    [Fact]
    public void An_image_over_the_silos_byte_limit_is_rejected_with_the_limit_named()
    {
        var (name, bytes) = Png(0);
        var results = new EncoderKernel(new GridOptions { MaxImageBytes = bytes.Length - 1 }).Encode(models.Tiny, [(name, bytes)]);

        var rejected = Assert.IsType<ItemRejectedException>(Assert.Single(results).Error);
        Assert.Contains(name, rejected.Message);
        Assert.Contains($"MaxFileBytes {bytes.Length - 1}", rejected.Message);
    }
}
