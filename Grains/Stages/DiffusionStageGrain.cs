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
    public Task<TensorPayload> Generate(DiffusionItem item, CancellationToken cancellation = default) =>
        runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation);

    public async Task<OutputReceipt> GenerateRouted(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = await runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation, route.JobId, route.Priority);
        return await GrainFactory.GetGrain<IDecoderStageGrain>(route.DecoderKey).DecodeToStore(latent, route, cancellation);
    }

    public async Task<CandidateScore> GenerateCandidate(DiffusionItem item, CandidateRoute route, CancellationToken cancellation = default)
    {
        var bundle = StageKeys.Bundle(this.GetPrimaryKeyString());
        var latent = await runtime.GenerateAsync(bundle, item, cancellation, route.JobId, route.Priority);
        if (route.KeptLatent is { } name)
        {
            // For analysis only (the flag): the candidate's latent, named by its job, item, candidate index and seed.
            var metadata = new Dictionary<string, string>
            {
                ["job"] = route.JobId, ["item"] = route.Item.ToString(), ["candidate"] = route.Candidate.ToString(),
                ["seed"] = item.Seed.ToString(), ["label"] = item.Label.ToString(), ["producer"] = runtime.ProducerOf(bundle),
            };
            var bytes = await Task.Run(() => LatentShard.ToBytes([(route.Item, $"candidate {route.Candidate}", latent.DType, latent.Shape, latent.Data)], metadata), cancellation);
            await store.PutAsync(name, bytes, "application/octet-stream", cancellation);
        }
        var score = await GrainFactory.GetGrain<IVerifierStageGrain>(route.VerifierKey)
            .Score(latent, new VerifyRequest(item.Label, route.Verifier, null, route.JobId, route.Priority), cancellation);
        candidates.Put(route.JobId, item.Seed, latent);
        return score;
    }

    public async Task<CandidateOutput> DecodeCandidate(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = candidates.Take(route.JobId, item.Seed);
        var resampled = latent is null;
        latent ??= await runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation, route.JobId, route.Priority);
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

    public Task<SamplingSpec> ResolveSampling(SamplingSpec requested) =>
        Task.FromResult(runtime.ResolveSampling(StageKeys.Bundle(this.GetPrimaryKeyString()), requested));
}
