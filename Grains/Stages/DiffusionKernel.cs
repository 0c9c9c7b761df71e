using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What a diffusion batch does with the loaded model: items → latents [C,h,w], the whole ODE solve in one call (a
/// batch holds one group of equal sampling settings: the stage groups items by them). An item the bundle cannot take
/// fails alone before sampling: a class outside the bundle's classes, a prompt on a class-conditional bundle, no
/// prompt or no condition tokens on a text-to-image one.
/// </summary>
public sealed class DiffusionKernel(GridOptions options, ILogger log)
{
    /// <summary>
    /// One diffusion batch of (item, condition tokens [L, z] or null) → one latent per item, in order. It stops between
    /// ODE steps when <paramref name="batch"/> is cancelled (every item's caller gave up; then it throws) or when it has
    /// computed longer than <see cref="RequestLimits.ItemComputeSeconds"/>; then its items fail with an
    /// <see cref="ItemRejectedException"/> marked <see cref="FailureCauses.ComputeDeadline"/>, which is not retried,
    /// and the stage goes on to the next batch.
    /// </summary>
    public IReadOnlyList<Result<TensorPayload>> Generate(RaeModel model, IReadOnlyList<(DiffusionItem Item, TensorPayload? Condition)> inputs,
        CancellationToken batch)
    {
        var items = inputs.Select(i => i.Item).ToList();
        if (StandInStage.For(options, StageNames.Diffusion) is { } standIn) return standIn.Generate(model, items);
        using var scope = NewDisposeScope();
        var results = new Result<TensorPayload>[items.Count];
        var good = Enumerable.Range(0, items.Count).Where(i =>
        {
            if (Problem(model, items[i], inputs[i].Condition) is not { } problem) return true;
            results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(problem));
            return false;
        }).ToList();
        if (good.Count == 0) return results;

        var t2i = model.Bundle.T2I is not null;
        // One batch holds one group: items of equal sampling settings.
        var sampling = items[good[0]].Sampling;
        // Resolved once at submit (SamplingRules): trusted here, only reshaped for the model library.
        var settings = t2i ? null : SamplingRules.SettingsOf(sampling);
        var limit = TimeSpan.FromSeconds(options.Limits.ItemComputeSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(batch);
        deadline.CancelAfter(limit);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Tensor latents;
        try
        {
            latents = t2i
                ? model.TextToImage().Generate(stack(good.Select(i => TensorPayloads.ToTensor(inputs[i].Condition!))),
                    good.Select(i => items[i].Seed).ToList(), good.Select(i => items[i].ItemIndex).ToList(),
                    sampling.Steps!.Value, SamplingRules.CfgScale(sampling),
                    SamplingRules.SamplerOf(sampling), deadline.Token).to(ScalarType.Float32)
                : model.GenerateLatents(good.Select(i => (long)items[i].Condition.Label!.Value).ToList(), good.Select(i => items[i].Seed).ToList(),
                    good.Select(i => items[i].ItemIndex).ToList(), settings, deadline.Token).to(ScalarType.Float32);
        }
        catch (OperationCanceledException) when (!batch.IsCancellationRequested)
        {
            log.LogWarning("Diffusion batch of {Count} items stopped after {Seconds:F1} s: over ItemComputeSeconds {Limit} (steps {Steps})",
                good.Count, clock.Elapsed.TotalSeconds, options.Limits.ItemComputeSeconds, sampling.Steps);
            foreach (var i in good)
                results[i] = Result<TensorPayload>.Fail(FailureCauses.Mark(new ItemRejectedException(
                    $"item {items[i].ItemIndex}: compute stopped after {clock.Elapsed.TotalSeconds:F1} s, over ItemComputeSeconds " +
                    $"{options.Limits.ItemComputeSeconds} (steps {sampling.Steps}, sampler {sampling.Sampler}); not retried: ask for fewer steps"), FailureCauses.ComputeDeadline));
            return results;
        }
        for (int j = 0; j < good.Count; j++)
            results[good[j]] = Result<TensorPayload>.Ok(TensorPayloads.ToPayload(latents[j]));
        return results;
    }

    /// <summary>Why <paramref name="model"/> cannot sample <paramref name="item"/> (null: it can), naming the item.</summary>
    public static string? Problem(RaeModel model, DiffusionItem item, TensorPayload? condition)
    {
        var classes = model.Diffusion?.NumClasses ?? 0;
        return (model.Bundle.T2I is not null, item.Condition, condition) switch
        {
            (true, { IsPrompt: false }, _) => $"item {item.ItemIndex}: bundle '{model.Bundle.Name}' is text-to-image; the item has no prompt",
            (true, _, null) => $"item {item.ItemIndex}: no condition tokens for its prompt",
            (false, { IsPrompt: true }, _) => $"item {item.ItemIndex}: bundle '{model.Bundle.Name}' has no t2i section; prompts need a text-to-image bundle",
            (false, { Label: var label }, _) when label < 0 || label >= classes => $"item {item.ItemIndex}: class {label} is outside 0..{classes - 1}",
            _ => null,
        };
    }
}
