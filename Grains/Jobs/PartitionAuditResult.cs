namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// What a finished partition's audit (<see cref="IPartitionGrain.Audit"/>) found: how many outputs were missing or
/// changed in the store, the partition's counts after the audit, and whether it re-opened to redo them — or because its
/// stored state was not finished — (it then reports its new final counts when done); when it has redone outputs
/// <c>MaxAuditRounds</c> times already it fails them instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.PartitionAuditResult")]
public sealed record PartitionAuditResult(
    [property: Id(0)] int Lost,
    [property: Id(1)] PartitionProgress After,
    [property: Id(2)] bool Reopened);
