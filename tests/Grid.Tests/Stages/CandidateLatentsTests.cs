using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>The diffusion stage's hold on scored candidates: bounded in bytes, oldest dropped first, taken once.</summary>
public sealed class CandidateLatentsTests
{
    static TensorPayload Latent(byte fill, int bytes = 400) => new("U8", [bytes], Enumerable.Repeat(fill, bytes).ToArray());

    static CandidateLatents Cache(long bytes) =>
        new(Options.Create(new GridOptions { Pipeline = new PipelineOptions { CandidateCacheBytes = bytes } }));

    [Fact]
    public void A_held_latent_is_taken_once_and_a_released_one_is_gone()
    {
        var cache = Cache(10_000);
        cache.Put("job", 1, Latent(1));
        cache.Put("job", 2, Latent(2));
        cache.Put("other", 1, Latent(3));
        Assert.Equal(1, cache.Take("job", 1)!.Data[0]);
        Assert.Null(cache.Take("job", 1));
        cache.Release("job", [2]);
        Assert.Null(cache.Take("job", 2));
        Assert.Equal(3, cache.Take("other", 1)!.Data[0]); // jobs do not share seeds
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Over_CandidateCacheBytes_the_oldest_latents_are_dropped_and_counted()
    {
        var cache = Cache(1000);
        for (byte i = 0; i < 5; i++) cache.Put("job", i, Latent(i));
        Assert.Equal(2, cache.Count);
        Assert.Equal(3, cache.Evicted);
        Assert.Null(cache.Take("job", 0));
        Assert.NotNull(cache.Take("job", 3));
        Assert.NotNull(cache.Take("job", 4));
        cache.Put("job", 9, Latent(9, 2000)); // larger than the whole bound: never held
        Assert.Equal((0, 4L), (cache.Count, cache.Evicted));
    }
}
