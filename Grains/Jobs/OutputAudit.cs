using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Checks a partition's done items against the store: each output (or the shard holding it) must be there with the
/// SHA-256 its partition recorded. "Done" must mean "there": a store can lose acknowledged writes (Azurite saves its
/// metadata periodically; real stores have their own ways), so a job audits its partitions before it reports Completed.
/// Reads a few outputs at a time; reads only, so it may run interleaved with the grain's other turns.
/// </summary>
public static class OutputAudit
{
    /// <summary>Outputs read at once.</summary>
    public const int Concurrency = 16;

    /// <summary>Local indices of done items whose output is missing from the store or differs from the recorded one.</summary>
    public static async Task<List<int>> LostAsync(PartitionItems items, PartitionState s, IOutputStore store, CancellationToken ct)
    {
        var done = Enumerable.Range(0, s.Phases.Length).Where(i => s.Phases[i] == (byte)ItemPhase.Done).ToList();
        // Items sharing an output (an encode job's shard) are checked with one read.
        var byOutput = done.GroupBy(items.OutputOf).ToList();
        var lost = new List<int>();
        foreach (var chunk in byOutput.Chunk(Concurrency))
        {
            var checks = await Task.WhenAll(chunk.Select(async g => (g, ok: await IntactAsync(g.Key, g.ToList(), items, s, store, ct))));
            foreach (var (g, ok) in checks)
                if (!ok) lost.AddRange(g);
        }
        lost.Sort();
        return lost;
    }

    static async Task<bool> IntactAsync(string output, List<int> locals, PartitionItems items, PartitionState s, IOutputStore store, CancellationToken ct)
    {
        var bytes = await store.GetAsync(output, ct);
        if (bytes is null) return false;
        var sha = OutputProvenance.Sha256(bytes);
        if (locals.Any(i => s.HashOf(i) is { } recorded && recorded != sha)) return false;
        // An item with no recorded hash (done before receipts existed) is its own when the object names it.
        if (items.Plan.Kind == JobKind.Encode)
            return OutputProvenance.ProducerOfShard(bytes, items.Plan.JobId, locals.Select(i => (long)items.IndexOf(i))) is not null;
        return locals.All(i => s.HashOf(i) is not null || OutputProvenance.ProducerOfItemPng(bytes, items.Plan.JobId, items.IndexOf(i)) is not null);
    }
}
