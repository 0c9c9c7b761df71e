using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Decoder stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>). For a routed item it is the
/// last stage: it tags the PNG with its job item (<see cref="OutputProvenance"/>), writes it to the store itself — a
/// conditional create, so a retried item never leaves a different object behind — and returns only its receipt (size,
/// SHA-256, producer) up the call chain.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class DecoderStageGrain(StageRuntime runtime, IOutputStore store, ILocalSiloDetails silo) : Grain, IDecoderStageGrain
{
    string Bundle => StageKeys.Bundle(this.GetPrimaryKeyString());

    public Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default) =>
        runtime.DecodeAsync(Bundle, latent, outputSize, cancellation);

    public async Task<OutputReceipt> DecodeToStore(TensorPayload latent, ItemRoute route, CancellationToken cancellation = default)
    {
        var image = await runtime.DecodeAsync(Bundle, latent, route.OutputSize, cancellation, route.JobId, route.Priority);
        var (device, dtype) = runtime.ComputeOf(Bundle);
        var receipt = new OutputReceipt(0, "", silo.SiloAddress.ToParsableString(), device, dtype);
        var png = OutputProvenance.TagPng(image.Png, route.JobId, route.ItemIndex, receipt.Producer);
        if (!await store.PutIfAbsentAsync(route.Output, png, "image/png", cancellation))
        {
            // An earlier attempt of this item (a call that timed out but still finished) stored it first: keep that object and
            // report it, so the job's record and the store agree. Anything else under the item's name is replaced.
            if (await store.GetAsync(route.Output, cancellation) is { } stored
                && OutputProvenance.ProducerOfItemPng(stored, route.JobId, route.ItemIndex) is { } producer)
                return OutputReceipt.Of(stored.LongLength, OutputProvenance.Sha256(stored), producer);
            await store.PutAsync(route.Output, png, "image/png", cancellation);
        }
        return receipt with { Bytes = png.LongLength, Sha256 = OutputProvenance.Sha256(png) };
    }
}
