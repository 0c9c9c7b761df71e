using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Decoder stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>). For a routed item it is the
/// last stage: it tags the PNG with its job item (<see cref="OutputProvenance"/>), writes it to the store itself, once
/// (<see cref="OutputWrites"/>), and returns only its receipt (size, SHA-256, producer) up the call chain. It also makes
/// a finished job's contact sheet from the images the job names (<see cref="ContactSheetWriter"/>).
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class DecoderStageGrain(StageRuntime runtime, IOutputStore store) : Grain, IDecoderStageGrain
{
    string Bundle => StageKeys.Bundle(this.GetPrimaryKeyString());
    int Replica => StageKeys.Replica(this.GetPrimaryKeyString());

    public Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default) =>
        runtime.DecodeAsync(Bundle, Replica, latent, outputSize, cancellation);

    public async Task<OutputReceipt> DecodeToStore(TensorPayload latent, ItemRoute route, CancellationToken cancellation = default)
    {
        var image = await runtime.DecodeAsync(Bundle, Replica, latent, route.OutputSize, cancellation, route.JobId, route.Priority);
        var producer = runtime.ProducerOf(Bundle, Replica);
        var png = OutputProvenance.TagPng(image.Png, route.JobId, route.ItemIndex, producer);
        return await OutputWrites.PutOnceAsync(store, route.Output, png, "image/png", producer,
            stored => OutputProvenance.ProducerOfItemPng(stored, route.JobId, route.ItemIndex), cancellation);
    }

    public Task<bool> WriteContactSheet(string output, string[] images, int thumbnailSide) =>
        ContactSheetWriter.WriteAsync(store, output, images, thumbnailSide, CancellationToken.None);
}
