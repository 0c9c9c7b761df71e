using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Operations;

/// <summary>
/// The cluster report: asks every active silo of the membership for its own report (<see cref="ISiloReportGrain"/>), all
/// at once, waiting at most <see cref="SiloTimeout"/> for each, so one slow or dying silo delays the report by that much
/// and is left out rather than failing it. Stateless: any silo answers, from its own view of the membership. The scaling
/// signal sums backlog, replicas and throughput over the silos and applies <see cref="ReplicaScaling"/> with the answering
/// silo's Grid:Scaling targets (give every silo the same).
/// </summary>
[StatelessWorker, Reentrant]
public sealed class ClusterReportGrain(IClusterMembershipService membership, IOptions<GridOptions> options, ILogger<ClusterReportGrain> log)
    : Grain, IClusterReportGrain
{
    /// <summary>How long the report waits for one silo's answer before leaving that silo out.</summary>
    public static readonly TimeSpan SiloTimeout = TimeSpan.FromSeconds(5);

    public async Task<SiloReport[]> Silos() => (await AskAllAsync()).Select(l => l.Report).ToArray();

    public async Task<StageScaling[]> Scaling()
    {
        var loads = (await AskAllAsync()).SelectMany(l => l.Loads);
        return loads.GroupBy(l => (l.Stage, l.Bundle))
            .OrderBy(g => g.Key.Stage, StringComparer.Ordinal).ThenBy(g => g.Key.Bundle, StringComparer.Ordinal)
            .Select(g =>
            {
                var replicas = g.Sum(l => l.Replicas);
                var backlog = g.Sum(l => l.Backlog);
                // One replica's service rate: the silos' means, weighted by their replicas (silos with no recent batch do not count).
                var measured = g.Where(l => l.ServiceRatePerReplica is not null).ToList();
                double? rate = measured.Count == 0 ? null
                    : measured.Sum(l => l.ServiceRatePerReplica!.Value * l.Replicas) / Math.Max(1, measured.Sum(l => l.Replicas));
                var desired = ReplicaScaling.Desired(backlog, rate, replicas, options.Value.ScalingFor(g.Key.Stage));
                return new StageScaling(g.Key.Stage, g.Key.Bundle, replicas, desired, backlog, g.Sum(l => l.ItemsPerSecond));
            }).ToArray();
    }

    /// <summary>Every active silo's answer, in silo address order; silos that fail or do not answer in time are left out.</summary>
    private async Task<IReadOnlyList<SiloLoad>> AskAllAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress).OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await GrainFactory.GetGrain<ISiloReportGrain>(StageKeys.ForSiloReport(silo)).Report().WaitAsync(SiloTimeout);
            }
            catch (Exception e)
            {
                // A report is read-only and current a moment later: a silo leaving or overloaded is left out, not retried.
                log.LogWarning("Cluster report: silo {Silo} left out ({Error}: {Message})", silo, e.GetType().Name, e.Message);
                return null;
            }
        }));
        return answers.OfType<SiloLoad>().ToList();
    }
}
