namespace RAE.Grid.Grains.Operations;

/// <summary>
/// One silo's report of itself (key <see cref="Placement.StageKeys.ForSiloReport"/>), activated on that silo like a stage
/// grain so it reads that silo's own stage engines. Silo-internal: clients read it through
/// <see cref="Contracts.IClusterReportGrain"/>.
/// </summary>
[Alias("rae.ISiloReportGrain")]
public interface ISiloReportGrain : IGrainWithStringKey
{
    /// <summary>This silo's report and the load of each (stage, bundle) it hosts.</summary>
    [Alias("Report")] Task<SiloLoad> Report();
}
