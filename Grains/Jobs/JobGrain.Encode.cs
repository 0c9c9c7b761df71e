using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Grains.Jobs;

public sealed partial class JobGrain
{
    /// <summary>
    /// Encode jobs write latents in safetensors shards of ShardSize items (<see cref="LatentShard"/>). A shard is the
    /// unit of completion: its items become done when the shard is stored, and a shard already in the store after a
    /// restart is not recomputed.
    /// </summary>
    private async Task RunEncodeAsync(CancellationToken ct)
    {
        foreach (var shard in S.Items.GroupBy(i => i.Output!).ToList())
        {
            var pending = shard.Where(i => i.Phase == ItemPhase.Pending).ToList();
            if (pending.Count == 0) continue;
            ct.ThrowIfCancellationRequested();
            if (await store.ExistsAsync(shard.Key, ct))
            {
                foreach (var i in pending) i.Phase = ItemPhase.Done;
                await WriteStateAsync();
                continue;
            }
            var latents = new Dictionary<int, TensorPayload>();
            await WindowedRun.RunAsync(pending, P.MaxInFlightItems, item => EncodeItemAsync(item, latents, ct), ct);
            var encoded = shard.Where(i => latents.ContainsKey(i.Index)).OrderBy(i => i.Index).ToList();
            if (encoded.Count > 0)
            {
                // Grain state is read here, on the grain's turn; the pool thread gets plain values only.
                var items = encoded.Select(i => ((long)i.Index, i.Input, latents[i.Index].DType, latents[i.Index].Shape, latents[i.Index].Data)).ToList();
                var metadata = new Dictionary<string, string> { ["job"] = S.JobId, ["bundle"] = S.BundleId };
                var bytes = await Task.Run(() => LatentShard.ToBytes(items, metadata), ct);
                await store.PutAsync(shard.Key, bytes, "application/octet-stream", ct);
            }
            foreach (var i in encoded) i.Phase = ItemPhase.Done;
            await WriteStateAsync();
        }
    }

    private async Task EncodeItemAsync(JobItem item, Dictionary<int, TensorPayload> latents, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        TensorPayload? latent = null;
        _inFlight++;
        bool ok;
        try
        {
            ok = await WithRetriesAsync(item, async () =>
                latent = await Router.CallAsync(StageNames.Encoder, (IEncoderStageGrain g) => g.Encode(new ImageSource(item.Input, null, item.Source), ct)), ct);
        }
        finally { _inFlight--; }
        // Done only once its shard is stored.
        if (ok) { item.Phase = ItemPhase.Pending; latents[item.Index] = latent!; }
        item.Seconds = sw.Elapsed.TotalSeconds;
    }
}
