namespace RAE.Grid.Contracts;

/// <summary>
/// One stage replica on one silo: a (stage, bundle) engine with its own batcher, bound to one device. A silo runs one
/// replica per entry of <c>Grid:Devices</c> (times the per-device instance count) for each stage it hosts.
/// <see cref="QueueDepth"/> counts requests waiting for a batch and <see cref="Running"/> those in the running batch, as
/// the metrics <c>raegrid_stage_queue_depth</c> and <c>raegrid_stage_running</c> do; their sum is the replica's backlog.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.StageReplicaReport")]
public sealed record StageReplicaReport(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Bundle,
    [property: Id(2)] int Replica,
    [property: Id(3)] string Device,
    [property: Id(4)] bool Loaded,
    [property: Id(5)] int QueueDepth,
    [property: Id(6)] int Running,
    [property: Id(7)] long Batches,
    [property: Id(8)] long Items,
    [property: Id(9)] double ItemsPerSecond)
{
    /// <summary>Mean items per batch so far (0 before the first batch).</summary>
    public double MeanBatchSize => Batches == 0 ? 0 : (double)Items / Batches;

    /// <summary>
    /// Never used: not loaded, nothing queued, run or running. A silo reports a replica for every (stage, registry bundle,
    /// device); views leave idle ones out, so a registry of many bundles does not bury the few that work.
    /// </summary>
    public bool IsIdle => !Loaded && QueueDepth == 0 && Running == 0 && Items == 0;
}
