namespace RAE.Grid.Contracts;

/// <summary>
/// The elastic-scaling signal of one stage of one bundle: how many replicas run it now, and how many its backlog and
/// service rate call for (Ray Serve's target-ongoing-requests idea, between the stage's minimum and maximum).
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.StageScaling")]
public sealed record StageScaling(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Bundle,
    [property: Id(2)] int CurrentReplicas,
    [property: Id(3)] int DesiredReplicas,
    [property: Id(4)] int Backlog,
    [property: Id(5)] double ItemsPerSecond);
