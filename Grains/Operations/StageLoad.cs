namespace RAE.Grid.Grains.Operations;

/// <summary>
/// The load of one (stage, bundle) on one silo: its replicas, their backlog (queued and running items), their recent
/// throughput, and the mean service rate (items per second of compute) of the replicas that ran a batch lately — what the
/// scaling signal needs and the public <see cref="Contracts.StageScaling"/> does not carry.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.StageLoad")]
public sealed record StageLoad(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Bundle,
    [property: Id(2)] int Replicas,
    [property: Id(3)] int Backlog,
    [property: Id(4)] double ItemsPerSecond,
    [property: Id(5)] double? ServiceRatePerReplica);
