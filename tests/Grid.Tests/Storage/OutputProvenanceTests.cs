using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>A stored output names the job item that wrote it and its producer, and nothing else's output passes for it.</summary>
public sealed class OutputProvenanceTests
{
    static byte[] Png() => ImageIO.EncodePng(rand(new long[] { 3, 8, 8 }, generator: manual_seed(1)));

    [Fact]
    public void A_tagged_png_names_its_job_item_and_producer_and_decodes_to_the_same_pixels()
    {
        var png = Png();
        var tagged = OutputProvenance.TagPng(png, "job/a b", 7, "10.0.0.1:11111@1/cpu/fp32");
        Assert.Equal("10.0.0.1:11111@1/cpu/fp32", OutputProvenance.ProducerOfItemPng(tagged, "job/a b", 7));
        Assert.Null(OutputProvenance.ProducerOfItemPng(tagged, "job/a b", 8));
        Assert.Null(OutputProvenance.ProducerOfItemPng(tagged, "other-job", 7));
        Assert.Null(OutputProvenance.ProducerOfItemPng(png, "job/a b", 7));
        Assert.Equal(png, OutputProvenance.Untagged(tagged));
        using var a = ImageIO.Decode(png, "a.png", new ImageLimits());
        using var b = ImageIO.Decode(tagged, "b.png", new ImageLimits());
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void A_latent_shard_names_its_job_and_the_items_it_holds()
    {
        var data = new byte[4 * 2 * 2 * 2];
        var bytes = LatentShard.ToBytes([(3, "a.png", "F32", [2, 2, 2], data), (5, "b.png", "F32", [2, 2, 2], data)],
            new Dictionary<string, string> { ["job"] = "j1", ["items"] = "[3,5]", ["producer"] = "s/cpu/fp32" });
        var shard = OutputProvenance.ShardItems(bytes);
        Assert.NotNull(shard);
        Assert.Equal("j1", shard.Value.Job);
        Assert.Equal([3L, 5L], shard.Value.Items);
        Assert.Equal("s/cpu/fp32", shard.Value.Producer);
        Assert.Null(OutputProvenance.ShardItems("not a shard"u8.ToArray()));
    }
}
