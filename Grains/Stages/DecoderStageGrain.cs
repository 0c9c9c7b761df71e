using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Decoder stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>). For a routed item it is the
/// last stage: it writes the PNG to the store itself, so only the PNG's size goes back up the call chain.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class DecoderStageGrain(StageRuntime runtime, IOutputStore store) : Grain, IDecoderStageGrain
{
    public Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default) =>
        runtime.DecodeAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), latent, outputSize, cancellation);

    public async Task<long> DecodeToStore(TensorPayload latent, ItemRoute route, CancellationToken cancellation = default)
    {
        var image = await runtime.DecodeAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), latent, route.OutputSize, cancellation, route.JobId);
        await store.PutAsync(route.Output, image.Png, "image/png", cancellation);
        return image.Png.LongLength;
    }
}
