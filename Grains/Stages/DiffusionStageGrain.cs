using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Diffusion stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>): the whole ODE solve runs
/// inside one call; sampling settings are resolved against this silo's copy of the bundle. A routed item's latent goes
/// from here straight to the decoder stage its partition chose.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class DiffusionStageGrain(StageRuntime runtime, CandidateLatents candidates, IOutputStore store) : Grain, IDiffusionStageGrain
{
    string Bundle => StageKeys.Bundle(this.GetPrimaryKeyString());
    int Replica => StageKeys.Replica(this.GetPrimaryKeyString());

    public Task<TensorPayload> Generate(DiffusionItem item, CancellationToken cancellation = default) => SampleAsync(item, cancellation, null, 0);

    /// <summary>
    /// Samples <paramref name="item"/>; a text-to-image item first gets its prompt's condition tokens from the text stage
    /// <see cref="DiffusionItem.TextKey"/> (stage to stage: the partition never sees them).
    /// </summary>
    private async Task<TensorPayload> SampleAsync(DiffusionItem item, CancellationToken ct, string? job, int priority)
    {
        TensorPayload? condition = null;
        if (item.Condition.Text is { } prompt)
        {
            var text = item.TextKey ?? throw new ItemRejectedException($"item {item.ItemIndex}: a prompted item needs the text stage to condition it with");
            condition = await GrainFactory.GetGrain<ITextStageGrain>(text).Condition(prompt, job, priority, ct);
        }
        return await runtime.GenerateAsync(Bundle, Replica, item, condition, ct, job, priority);
    }

    public async Task<OutputReceipt> GenerateRouted(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = await SampleAsync(item, cancellation, route.JobId, route.Priority);
        return await GrainFactory.GetGrain<IDecoderStageGrain>(route.DecoderKey).DecodeToStore(latent, route, cancellation);
    }

    public async Task<CandidateScore> GenerateCandidate(DiffusionItem item, CandidateRoute route, CancellationToken cancellation = default)
    {
        var bundle = Bundle;
        var latent = await SampleAsync(item, cancellation, route.JobId, route.Priority);
        if (route.KeptLatent is { } name)
        {
            // For analysis only (the flag): the candidate's latent, named by its job, item, candidate index and seed.
            var metadata = new Dictionary<string, string>
            {
                ["job"] = route.JobId, ["item"] = route.Item.ToString(), ["candidate"] = route.Candidate.ToString(),
                ["seed"] = item.Seed.ToString(), ["label"] = (item.Condition.Label ?? -1).ToString(), ["prompt"] = item.Condition.Text ?? "", ["producer"] = runtime.ProducerOf(bundle, Replica),
            };
            var bytes = await Task.Run(() => LatentShard.ToBytes([(route.Item, $"candidate {route.Candidate}", latent.DType, latent.Shape, latent.Data)], metadata), cancellation);
            await store.PutAsync(name, bytes, "application/octet-stream", cancellation);
        }
        var score = await GrainFactory.GetGrain<IVerifierStageGrain>(route.VerifierKey)
            .Score(latent, new VerifyRequest(item.Condition, route.Verifier, route.JobId, route.Priority), cancellation);
        candidates.Put(route.JobId, item.Seed, latent);
        return score;
    }

    public async Task<CandidateOutput> DecodeCandidate(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = candidates.Take(route.JobId, item.Seed);
        var resampled = latent is null;
        latent ??= await SampleAsync(item, cancellation, route.JobId, route.Priority);
        try
        {
            return new CandidateOutput(await GrainFactory.GetGrain<IDecoderStageGrain>(route.DecoderKey).DecodeToStore(latent, route, cancellation), resampled);
        }
        catch
        {
            // Kept for the retry (on this silo) unless the latent is what failed; a retry elsewhere samples it again.
            candidates.Put(route.JobId, item.Seed, latent);
            throw;
        }
    }

    public Task ReleaseCandidates(string jobId, long[] seeds)
    {
        candidates.Release(jobId, seeds);
        return Task.CompletedTask;
    }

    public Task<SamplingSpec> ResolveSampling(SamplingSpec requested, bool prompted = false) =>
        Task.FromResult(runtime.ResolveSampling(Bundle, requested, prompted));
}
