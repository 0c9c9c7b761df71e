using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Jobs;

public sealed partial class JobGrain
{
    /// <summary>
    /// Encode jobs write latents in safetensors shards of ShardSize items ("latents" [n,C,h,w] F32, "index" I64 [n] = the
    /// item indices, the items' names in the metadata). A shard is the unit of completion: its items become done when the
    /// shard is stored, and a shard already in the store after a restart is not recomputed.
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
            var running = new List<Task>();
            foreach (var item in pending)
            {
                while (running.Count >= P.MaxInFlightItems)
                {
                    await Task.WhenAny(running);
                    running.RemoveAll(t => t.IsCompleted);
                }
                running.Add(EncodeItemAsync(item, latents, ct));
            }
            await Task.WhenAll(running);
            var encoded = shard.Where(i => latents.ContainsKey(i.Index)).OrderBy(i => i.Index).ToList();
            if (encoded.Count > 0)
            {
                // Grain state is read here, on the grain's turn; the pool thread gets plain values only.
                var (jobId, bundleId) = (S.JobId, S.BundleId);
                var bytes = await Task.Run(() => ShardBytes(jobId, bundleId, encoded, latents), ct);
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
                latent = await OnStage(StageNames.Encoder, (IEncoderStageGrain g) => g.Encode(new ImageSource(item.Input, null, item.Source), ct)), ct);
        }
        finally { _inFlight--; }
        // Done only once its shard is stored.
        if (ok) { item.Phase = ItemPhase.Pending; latents[item.Index] = latent!; }
        item.Seconds = sw.Elapsed.TotalSeconds;
    }

    private static byte[] ShardBytes(string jobId, string bundleId, List<JobItem> items, Dictionary<int, TensorPayload> latents)
    {
        using var scope = NewDisposeScope();
        var stacked = stack(items.Select(i => TensorPayloads.ToTensor(latents[i.Index])).ToArray());
        var index = tensor(items.Select(i => (long)i.Index).ToArray(), ScalarType.Int64);
        return SafeTensorsWriter.ToBytes(new Dictionary<string, Tensor> { ["latents"] = stacked, ["index"] = index },
            new Dictionary<string, string>
            {
                ["job"] = jobId, ["bundle"] = bundleId,
                ["names"] = System.Text.Json.JsonSerializer.Serialize(items.Select(i => i.Input)),
            });
    }
}
