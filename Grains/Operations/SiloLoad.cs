using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Operations;

/// <summary>What a silo answers <see cref="ISiloReportGrain.Report"/>: its report, and its loads for the cluster-wide scaling signal.</summary>
[GenerateSerializer, Immutable, Alias("rae.SiloLoad")]
public sealed record SiloLoad(
    [property: Id(0)] SiloReport Report,
    [property: Id(1)] StageLoad[] Loads);
