using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Encoder stage of one bundle on one silo. Stage grains are thin: they route into the silo's
/// <see cref="StageRuntime"/>, which owns the models and the batching. Reentrant, so many single-item calls can wait in
/// the batcher at once; placed on the silo named in their key. Routed items read their image from the store and hand
/// the latent to the next stage themselves; encode jobs' shards are built and written here.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class EncoderStageGrain(StageRuntime runtime, IOutputStore store) : Grain, IEncoderStageGrain
{
    string Bundle => StageKeys.Bundle(this.GetPrimaryKeyString());
    int Replica => StageKeys.Replica(this.GetPrimaryKeyString());

    public async Task<TensorPayload> Encode(ImageSource image, CancellationToken cancellation = default) =>
        await runtime.EncodeAsync(Bundle, Replica, image.Name, await BytesOf(image, cancellation), cancellation);

    public async Task<OutputReceipt> EncodeRouted(ImageSource image, ItemRoute route, CancellationToken cancellation = default)
    {
        var latent = await runtime.EncodeAsync(Bundle, Replica, image.Name, await BytesOf(image, cancellation), cancellation, route.JobId, route.Priority);
        return await GrainFactory.GetGrain<IDecoderStageGrain>(route.DecoderKey).DecodeToStore(latent, route, cancellation);
    }

    public async Task<ShardResult> EncodeShard(ShardRequest shard, CancellationToken cancellation = default)
    {
        if (shard.Indices.Length != shard.Images.Length)
            throw new ArgumentException($"shard '{shard.Shard}' has {shard.Indices.Length} indices for {shard.Images.Length} images");
        var errors = new string?[shard.Images.Length];
        var latents = new TensorPayload?[shard.Images.Length];
        // Items enter the batcher a few batches at a time: a shard larger than the stage's queue must not fill it.
        var step = Math.Max(1, runtime.MaxBatch(StageNames.Encoder) * 2);
        for (int start = 0; start < shard.Images.Length; start += step)
        {
            var tasks = Enumerable.Range(start, Math.Min(step, shard.Images.Length - start)).Select(async i =>
            {
                try
                {
                    latents[i] = await runtime.EncodeAsync(Bundle, Replica, shard.Images[i].Name, await BytesOf(shard.Images[i], cancellation), cancellation, shard.JobId, shard.Priority);
                }
                catch (Exception e) when (e is ItemRejectedException or ArgumentException) { errors[i] = e.Message; }
            });
            await Task.WhenAll(tasks);
        }
        var encoded = Enumerable.Range(0, latents.Length).Where(i => latents[i] is not null)
            .Select(i => (shard.Indices[i], shard.Images[i].Name, latents[i]!.DType, latents[i]!.Shape, latents[i]!.Data)).ToList();
        if (encoded.Count == 0) return new ShardResult(errors, null);
        var producer = runtime.ProducerOf(Bundle, Replica);
        // The metadata binds the shard to its job and lists the items it holds: a resumed partition trusts exactly those.
        var metadata = OutputProvenance.ShardMetadata(shard.JobId, shard.BundleId, producer, encoded.Select(e => e.Item1));
        var bytes = await Task.Run(() => LatentShard.ToBytes(encoded, metadata), cancellation);
        return new ShardResult(errors, await OutputWrites.PutOnceAsync(store, shard.Shard, bytes, "application/octet-stream", producer,
            stored => OutputProvenance.ProducerOfShard(stored, shard.JobId, encoded.Select(e => e.Item1)), cancellation));
    }

    private async Task<byte[]> BytesOf(ImageSource image, CancellationToken cancellation) =>
        image.Inline
        ?? (image.Uri is { } uri ? await store.GetAsync(uri, cancellation) : null)
        ?? throw new ItemRejectedException($"{image.Name}: no inline bytes and {(image.Uri is null ? "no URI" : $"nothing stored at '{image.Uri}'")}");
}
