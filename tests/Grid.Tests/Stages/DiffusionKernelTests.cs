using Microsoft.Extensions.Logging.Abstractions;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Stages;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>
/// A diffusion batch: items the bundle cannot take fail alone before any sampling; a batch whose callers all gave up
/// stops and throws; one over the compute deadline fails its items for good.
/// </summary>
[Collection(KernelModelsCollection.Name)]
public sealed class DiffusionKernelTests(KernelModels models)
{
    static DiffusionKernel Kernel(GridOptions? options = null) => new(options ?? new GridOptions(), NullLogger.Instance);

    SamplingSpec Sampling(int steps, string? sampler = null) =>
        SamplingRules.Resolve(new SamplingSpec(Steps: steps, Sampler: sampler), models.Tiny.Bundle, "tiny", prompted: false, new RequestLimits { MaxSteps = 1_000_000 });

    DiffusionItem Item(int label, long index, int steps = 2, string? prompt = null) =>
        new(prompt is null ? ItemCondition.Class(label) : ItemCondition.Prompt(prompt), Seed: 7, index, Sampling(steps));

    [Fact]
    public void A_class_conditional_bundle_takes_only_its_classes_and_no_prompts()
    {
        var tiny = models.Tiny;
        Assert.Null(DiffusionKernel.Problem(tiny, Item(0, 1), null));
        Assert.Null(DiffusionKernel.Problem(tiny, Item(9, 1), null));
        Assert.Equal("item 1: class 10 is outside 0..9", DiffusionKernel.Problem(tiny, Item(10, 1), null));
        Assert.Equal("item 2: class -1 is outside 0..9", DiffusionKernel.Problem(tiny, Item(-1, 2), null));
        Assert.Contains("has no t2i section; prompts need a text-to-image bundle", DiffusionKernel.Problem(tiny, Item(-1, 3, prompt: "a sneaker"), null));
    }

    [Fact]
    public void A_text_to_image_bundle_needs_a_prompt_and_its_condition_tokens()
    {
        var t2i = models.TextToImage;
        var condition = TensorPayloads.ToPayload(zeros(4, 8));
        Assert.Contains("is text-to-image; the item has no prompt", DiffusionKernel.Problem(t2i, Item(0, 1), condition));
        Assert.Equal("item 2: no condition tokens for its prompt", DiffusionKernel.Problem(t2i, Item(-1, 2, prompt: "a sneaker"), null));
        Assert.Null(DiffusionKernel.Problem(t2i, Item(-1, 3, prompt: "a sneaker"), condition));
    }

    [Fact]
    public void A_rejected_item_fails_alone_and_the_rest_of_its_batch_is_sampled()
    {
        var results = Kernel().Generate(models.Tiny, [(Item(10, 0), null), (Item(3, 1), null)], CancellationToken.None);

        Assert.Equal("item 0: class 10 is outside 0..9", Assert.IsType<ItemRejectedException>(results[0].Error).Message);
        Assert.Null(results[1].Error);
        Assert.Equal(models.Tiny.LatentShape, results[1].Value!.Shape);
    }

    [Fact]
    public void A_batch_whose_callers_all_gave_up_stops_and_throws_instead_of_failing_its_items()
    {
        using var gaveUp = new CancellationTokenSource();
        gaveUp.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Kernel().Generate(models.Tiny, [(Item(3, 0), null)], gaveUp.Token));
    }

    [Fact]
    public void A_batch_over_the_compute_deadline_fails_every_item_for_good_naming_the_limit()
    {
        // A microsecond deadline against a million-step solve: the solve cannot finish first, however slow the machine.
        var options = new GridOptions { Limits = new RequestLimits { ItemComputeSeconds = 1e-6 } };
        var runaway = new DiffusionItem(ItemCondition.Class(3), 7, 0, Sampling(1_000_000, "heun"));
        var results = Kernel(options).Generate(models.Tiny, [(runaway, null), (runaway with { ItemIndex = 1 }, null)], CancellationToken.None);

        foreach (var (r, index) in results.Select((r, i) => (r, i)))
        {
            var error = Assert.IsType<ItemRejectedException>(r.Error);
            Assert.StartsWith($"item {index}: compute stopped after", error.Message);
            Assert.Contains($"over ItemComputeSeconds {options.Limits.ItemComputeSeconds} (steps 1000000, sampler heun); not retried", error.Message);
            Assert.Equal(FailureCauses.ComputeDeadline, FailureCauses.Of(error));
        }
    }
}
