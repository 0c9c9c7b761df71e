using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// An encode job's items, a shard at a time: one encoder stage encodes a shard's images and stores the shard in one call
/// (the unit of completion); a bad image fails alone, the shard holds the rest.
/// </summary>
public sealed class ShardItemRunner(ItemRunContext context) : ItemRunner(context)
{
    /// <inheritdoc/>
    public override Task RunAsync(IReadOnlyList<int> pending, Func<int> window, CancellationToken ct) =>
        // The window counts items: a shard takes ShardSize of them.
        WindowedRun.RunAsync(pending.GroupBy(i => Items.IndexOf(i) / Plan.ShardSize).Select(g => g.ToList()).ToList(),
            () => Math.Max(1, window() / Plan.ShardSize), shard => GuardAsync(shard, () => ProcessAsync(shard, ct)), ct);

    private async Task ProcessAsync(List<int> locals, CancellationToken ct)
    {
        var shardName = Items.OutputOf(locals[0]);
        var sw = Stopwatch.StartNew();
        var span = GridTracing.StartItem("shard", Plan.JobId, Items.IndexOf(locals[0]), Plan.Index);
        Ledger.Begin(locals.Count);
        string?[]? errors = null;
        ItemOutcome outcome;
        try
        {
            var request = new ShardRequest(Plan.JobId, Plan.BundleId, shardName, locals.Select(i => (long)Items.IndexOf(i)).ToArray(),
                locals.Select(i => new ImageSource(Items.InputOf(i), null, Items.SourceOf(i))).ToArray(), Plan.Priority);
            outcome = await Retries.RunAsync(locals, async () =>
            {
                // A shard stored before a restart counts only for the items it lists, and only if every pending one is there.
                if (await Stored.AcceptShardAsync(locals, request.Indices, shardName, ct)) { errors = null; return; }
                var result = await Router.CallAsync(StageNames.Encoder, (IEncoderStageGrain stage) => stage.EncodeShard(request, ct));
                errors = result.Errors;
                if (result.Receipt is { } r)
                    for (int k = 0; k < locals.Count; k++)
                        if (errors[k] is null) Ledger.Record(locals[k], r.Sha256, r.Producer);
            }, ct);
        }
        finally { Ledger.End(locals.Count); }
        GridTracing.End(span, outcome.Error);
        if (outcome.Error is not null) await SettleAsync(locals, outcome, sw.Elapsed.TotalSeconds);
        else await SettleAsync(locals, errors, sw.Elapsed.TotalSeconds, outcome.Transient);
    }
}
