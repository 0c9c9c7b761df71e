namespace RAE.Grid.Contracts;

/// <summary>What one silo runs: its stages, devices and stage replicas with their queues, and its scaling signals.</summary>
[GenerateSerializer, Immutable, Alias("rae.SiloReport")]
public sealed record SiloReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Status,
    [property: Id(2)] string[] Stages,
    [property: Id(3)] string[] Devices,
    [property: Id(4)] StageReplicaReport[] Replicas,
    [property: Id(5)] StageScaling[] Scaling,
    [property: Id(6)] DateTimeOffset At);
