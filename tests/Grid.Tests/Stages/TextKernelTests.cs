using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>A text batch: prompts become condition tokens; a prompt the bundle cannot take fails alone.</summary>
[Collection(KernelModelsCollection.Name)]
public sealed class TextKernelTests(KernelModels models)
{
    [Fact]
    public void On_a_class_conditional_bundle_every_prompt_fails_saying_it_has_no_t2i_section()
    {
        var results = new TextKernel(new GridOptions()).Condition(models.Tiny, ["a sneaker", "a bag"]);

        Assert.All(results, r => Assert.Contains("has no t2i section", Assert.IsType<ItemRejectedException>(r.Error).Message));
    }

    [Fact]
    public void An_empty_prompt_fails_alone_and_the_others_get_their_condition_tokens()
    {
        var results = new TextKernel(new GridOptions()).Condition(models.TextToImage, ["a sneaker", " ", "a bag"]);

        Assert.Equal("prompt: empty", Assert.IsType<ItemRejectedException>(results[1].Error).Message);
        var sneaker = results[0].Value!;
        var bag = results[2].Value!;
        Assert.Equal("F32", sneaker.DType);
        Assert.Equal(2, sneaker.Shape.Length); // [L, z]
        Assert.Equal(sneaker.Shape, bag.Shape);
        Assert.NotEqual(sneaker.Data, bag.Data);
    }
}
