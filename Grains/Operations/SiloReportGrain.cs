using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grains.Operations;

/// <summary>
/// Reads this silo's <see cref="StageRuntime"/> for the cluster report. Placed on the silo its key names (the stage
/// grains' placement), so every silo answers for itself; read-only, so calls interleave.
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class SiloReportGrain(StageRuntime runtime, ILocalSiloDetails silo, IClusterMembershipService membership, IOptions<GridOptions> options)
    : Grain, ISiloReportGrain
{
    public Task<SiloLoad> Report()
    {
        var replicas = runtime.Replicas();
        var loads = runtime.Loads();
        var status = runtime.Draining ? "Draining" : membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress).ToString();
        // This silo's own view (its backlog on its replicas); the cluster's signal is ClusterReportGrain.Scaling.
        var scaling = loads.Select(l => new StageScaling(l.Stage, l.Bundle, l.Replicas,
            ReplicaScaling.Desired(l.Backlog, l.ServiceRatePerReplica, l.Replicas, options.Value.ScalingFor(l.Stage)), l.Backlog, l.ItemsPerSecond)).ToArray();
        var report = new SiloReport(silo.SiloAddress.ToParsableString(), status, runtime.HostedStages.ToArray(), runtime.Devices.ToArray(),
            replicas.ToArray(), scaling, DateTimeOffset.UtcNow);
        return Task.FromResult(new SiloLoad(report, loads.ToArray()));
    }
}
