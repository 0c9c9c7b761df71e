namespace RAE.Grid.Contracts;

/// <summary>
/// The cluster's stage report (key 0): one <see cref="SiloReport"/> per active silo, asked of each silo itself, and the
/// cluster-wide scaling signal per stage and bundle. Read by <c>rae-grid cluster</c> and the silo's status page.
/// </summary>
[Alias("rae.IClusterReportGrain")]
public interface IClusterReportGrain : IGrainWithIntegerKey
{
    /// <summary>Every active silo's report, in a stable order (silos that do not answer in time are left out).</summary>
    [Alias("Silos")] Task<SiloReport[]> Silos();

    /// <summary>Per stage and bundle over the whole cluster: replicas now, desired replicas, backlog and service rate.</summary>
    [Alias("Scaling")] Task<StageScaling[]> Scaling();
}
