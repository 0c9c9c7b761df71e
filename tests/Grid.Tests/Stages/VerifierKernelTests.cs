using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>A verifier batch: a latent the bundle cannot score fails alone; the others are scored and named.</summary>
[Collection(KernelModelsCollection.Name)]
public sealed class VerifierKernelTests(KernelModels models)
{
    static TensorPayload Latent(long[] shape, long seed) => TensorPayloads.ToPayload(randn(shape, generator: new Generator((ulong)seed)));

    [Fact]
    public void A_latent_of_another_shape_or_a_class_outside_the_bundle_fails_alone_before_any_verifier_loads()
    {
        // bundles/tiny has no verifier: scoring anything would throw, so these are refused before any scoring.
        var shape = models.Tiny.LatentShape;
        var results = new VerifierKernel(new GridOptions()).Score(models.Tiny,
        [
            (Latent([shape[0], shape[1] + 1, shape[2]], 1), new VerifyRequest(ItemCondition.Class(0), null)),
            (Latent(shape, 2), new VerifyRequest(ItemCondition.Class(10), null)),
            (Latent(shape, 3), new VerifyRequest(ItemCondition.Class(-1), null)),
        ]);

        Assert.Contains($"latent shape [{string.Join(",", shape)}]", Assert.IsType<ItemRejectedException>(results[0].Error).Message);
        Assert.Equal("class 10 is outside 0..9", Assert.IsType<ItemRejectedException>(results[1].Error).Message);
        Assert.Equal("class -1 is outside 0..9", Assert.IsType<ItemRejectedException>(results[2].Error).Message);
    }

    [Fact]
    public void Good_latents_are_scored_by_the_named_verifier_and_a_bad_one_beside_them_fails_alone()
    {
        var model = models.Siglip2;
        var shape = model.LatentShape;
        var results = new VerifierKernel(new GridOptions()).Score(model,
        [
            (Latent(shape, 1), new VerifyRequest(ItemCondition.Prompt("a sneaker"), "siglip2")),
            (Latent([1, 1, 1], 2), new VerifyRequest(ItemCondition.Prompt("a sneaker"), "siglip2")),
            (Latent(shape, 3), new VerifyRequest(ItemCondition.Class(2), "siglip2")),
        ]);

        Assert.IsType<ItemRejectedException>(results[1].Error);
        foreach (var scored in new[] { results[0], results[2] })
        {
            Assert.Null(scored.Error);
            Assert.True(double.IsFinite(scored.Value!.Score));
            Assert.StartsWith("siglip2 (", scored.Value.Verifier);
        }
    }
}
