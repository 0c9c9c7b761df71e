using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Data;

public class EpochBatchesTests
{
    static LabeledImages Numbered(int n)
    {
        // image i is filled with the value i, so a batch reveals which items it holds
        var images = arange(n, dtype: ScalarType.Int64).view(n, 1, 1, 1).expand(n, 1, 2, 2).to(ScalarType.Byte).contiguous();
        return new LabeledImages(images, arange(n, dtype: ScalarType.Int64), ["x"]);
    }

    static long[] Items(ImageBatch b) => b.Labels.data<long>().ToArray();

    [Fact]
    public void An_epoch_order_depends_only_on_seed_and_epoch_and_covers_every_item_once()
    {
        var data = Numbered(50);
        var a = new EpochBatches(data, 8, seed: 3).Epoch(2).SelectMany(Items).ToArray();
        var b = new EpochBatches(data, 8, seed: 3).Epoch(2).SelectMany(Items).ToArray();
        var other = new EpochBatches(data, 8, seed: 3).Epoch(3).SelectMany(Items).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.Equal(48, a.Length); // drop_last
        Assert.Equal(48, a.Distinct().Count());
    }

    [Fact]
    public void A_resumed_epoch_skipping_done_batches_sees_the_same_remaining_batches()
    {
        var data = Numbered(40);
        var full = new EpochBatches(data, 8, seed: 1, horizontalFlip: true).Epoch(0).Select(b => b.Images.sum().item<float>() + Items(b).Sum()).ToArray();
        var resumed = new EpochBatches(data, 8, seed: 1, horizontalFlip: true).Epoch(0, skipBatches: 2).Select(b => b.Images.sum().item<float>() + Items(b).Sum()).ToArray();
        Assert.Equal(full[2..], resumed);
    }

    [Fact]
    public void Horizontal_flip_mirrors_about_half_of_the_images()
    {
        var data = FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 400);
        var batches = new EpochBatches(data, 400, seed: 0, horizontalFlip: true);
        using var batch = batches.Epoch(0).Single();
        using var original = data.ToFloatRgb(batches.Order(0));
        long flipped = 0;
        for (int i = 0; i < 400; i++)
        {
            bool same = batch.Images[i].allclose(original[i], 0, 0);
            bool mirrored = batch.Images[i].allclose(original[i].flip(2), 0, 0);
            Assert.True(same || mirrored);
            if (!same) flipped++;
        }
        Assert.InRange(flipped, 160, 240);
    }
}
