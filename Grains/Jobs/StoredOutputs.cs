using Microsoft.Extensions.Logging;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A resumed partition's outputs written before a restart whose checkpoint did not record them: an output already in the
/// store is accepted — recorded with its hash and producer, not redone — only when its own provenance says it is this
/// item's (<see cref="OutputProvenance"/>); anything else stored under the name (another job's, an older run's) is
/// redone. A partition that did not resume has nothing to accept and reads nothing.
/// </summary>
public sealed class StoredOutputs(IOutputStore store, PartitionLedger ledger, ILogger log)
{
    /// <summary>Whether the PNG stored under <paramref name="output"/> is item <paramref name="local"/>'s (then it is recorded as its output).</summary>
    public async Task<bool> AcceptItemAsync(int local, long index, string output, CancellationToken ct)
    {
        if (!ledger.Resumed || await store.GetAsync(output, ct) is not { } bytes) return false;
        if (OutputProvenance.ProducerOfItemPng(bytes, ledger.Plan.JobId, index) is not { } producer)
        {
            log.LogWarning("Job {Job} item {Index}: '{Output}' is stored but is not this item's output; redoing it", ledger.Plan.JobId, index, output);
            return false;
        }
        ledger.Record(local, OutputProvenance.Sha256(bytes), producer);
        return true;
    }

    /// <summary>
    /// Whether the shard stored under <paramref name="shard"/> is this job's and lists every one of <paramref name="indices"/>
    /// (then it is recorded as the output of each of <paramref name="locals"/>).
    /// </summary>
    public async Task<bool> AcceptShardAsync(IReadOnlyList<int> locals, IReadOnlyList<long> indices, string shard, CancellationToken ct)
    {
        if (!ledger.Resumed || await store.GetAsync(shard, ct) is not { } bytes
            || OutputProvenance.ProducerOfShard(bytes, ledger.Plan.JobId, indices) is not { } producer) return false;
        var sha = OutputProvenance.Sha256(bytes);
        foreach (var i in locals) ledger.Record(i, sha, producer);
        return true;
    }
}
