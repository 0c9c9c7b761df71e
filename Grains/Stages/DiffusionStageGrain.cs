using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Diffusion stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>): the whole ODE solve runs
/// inside one call; sampling settings are resolved against this silo's copy of the bundle. A routed item's latent goes
/// from here straight to the decoder stage its partition chose.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class DiffusionStageGrain(StageRuntime runtime) : Grain, IDiffusionStageGrain
{
    public Task<TensorPayload> Generate(DiffusionItem item, CancellationToken cancellation = default) =>
        runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation);

    public async Task<OutputReceipt> GenerateRouted(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = await runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation, route.JobId, route.Priority);
        return await GrainFactory.GetGrain<IDecoderStageGrain>(route.DecoderKey).DecodeToStore(latent, route, cancellation);
    }

    public Task<SamplingSpec> ResolveSampling(SamplingSpec requested) =>
        Task.FromResult(runtime.ResolveSampling(StageKeys.Bundle(this.GetPrimaryKeyString()), requested));
}
