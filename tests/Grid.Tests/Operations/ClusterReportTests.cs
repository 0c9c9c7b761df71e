using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Silo;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Operations;

/// <summary>
/// The cluster report (<see cref="IClusterReportGrain"/>) on a two-silo grid, read by an external client as
/// <c>rae-grid cluster</c> does: every silo answers for itself with its stages, devices and stage replicas, and the
/// counts are those of the job that ran. Stages are service-time stand-ins (Grid:StandIn), so the job takes moments.
/// </summary>
public sealed class ClusterReportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_cluster_report_lists_every_silo_with_its_stage_replicas_and_the_items_they_ran()
    {
        const int count = 6;
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([[StageNames.Encoder], [StageNames.Decoder]])
        {
            Extra = new Dictionary<string, string?> { ["Grid:StandIn:encoder"] = "20", ["Grid:StandIn:decoder"] = "20" },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var report = grid.Client.GetGrain<IClusterReportGrain>(0);

        var before = await report.Silos();
        Assert.Equal(2, before.Length);
        Assert.All(before, s => Assert.All(s.Replicas, r => Assert.False(r.Loaded))); // models load on first use

        var id = TestInputs.JobId("report");
        await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(count)));
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));

        var silos = await report.Silos();
        foreach (var s in silos)
            foreach (var r in s.Replicas)
                output.WriteLine($"{s.Silo} {s.Status} [{string.Join(",", s.Devices)}] {r.Stage}/{r.Bundle}#{r.Replica} on {r.Device}: " +
                                 $"loaded {r.Loaded} queue {r.QueueDepth} batches {r.Batches} items {r.Items} mean batch {r.MeanBatchSize:F1} items/s {r.ItemsPerSecond:F2}");
        Assert.Equal(grid.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).Order(StringComparer.Ordinal), silos.Select(s => s.Silo));
        for (int i = 0; i < 2; i++)
        {
            var stage = spec.SiloStages[i][0];
            var silo = silos.Single(s => s.Silo == grid.Silo(i).SiloAddress.ToParsableString());
            Assert.Equal("Active", silo.Status);
            Assert.Equal([stage], silo.Stages);
            Assert.Equal(["cpu"], silo.Devices);
            // One replica per (stage, bundle of the registry); the job's bundle ran every item, the other bundle never loaded.
            var ran = Assert.Single(silo.Replicas, r => r.Bundle == GridTestFolders.BundleId);
            Assert.Equal((stage, 0, "cpu", true, 0), (ran.Stage, ran.Replica, ran.Device, ran.Loaded, ran.QueueDepth));
            Assert.Equal(count, ran.Items);
            Assert.Equal(grid.ItemsRun(i, stage), ran.Items);
            Assert.InRange(ran.Batches, 1, count);
            Assert.True(ran.ItemsPerSecond > 0, "no recent throughput after a job that just ran");
            Assert.False(Assert.Single(silo.Replicas, r => r.Bundle == GridTestFolders.IntervalBundleId).Loaded);
            var scaling = Assert.Single(silo.Scaling, x => x.Bundle == GridTestFolders.BundleId);
            Assert.Equal((stage, 1, 0), (scaling.Stage, scaling.CurrentReplicas, scaling.Backlog));
        }

        var cluster = await report.Scaling();
        foreach (var x in cluster) output.WriteLine($"{x.Stage}/{x.Bundle}: replicas {x.CurrentReplicas} desired {x.DesiredReplicas} backlog {x.Backlog} items/s {x.ItemsPerSecond:F2}");
        Assert.Equal(1, cluster.Single(x => x.Stage == StageNames.Encoder && x.Bundle == GridTestFolders.BundleId).CurrentReplicas);
        Assert.Equal(1, cluster.Single(x => x.Stage == StageNames.Decoder && x.Bundle == GridTestFolders.BundleId).CurrentReplicas);
        Assert.Equal(4, cluster.Length); // two stages × two bundles, each on one silo
        Assert.All(cluster, x => Assert.Equal(1, x.DesiredReplicas)); // no backlog: MinReplicas (1 by default)

        // The same signal as gauges on the silo's "RAE.Grid.Scaling" meter, as an exporter reads them.
        var metrics = grid.Silo(0).ServiceProvider.GetRequiredService<ScalingMetrics>();
        await metrics.RefreshAsync();
        var gauges = new List<(string Name, string Stage, string Bundle, int Value)>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) => { if (ReferenceEquals(instrument.Meter, metrics.Meter)) l.EnableMeasurementEvents(instrument); };
            listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
            {
                var t = tags.ToArray().ToDictionary(kv => kv.Key, kv => kv.Value as string);
                gauges.Add((instrument.Name, t["stage"]!, t["bundle"]!, value));
            });
            listener.Start();
            listener.RecordObservableInstruments();
        }
        foreach (var g in gauges) output.WriteLine($"{g.Name}{{stage=\"{g.Stage}\",bundle=\"{g.Bundle}\"}} {g.Value}");
        Assert.Contains(("raegrid_stage_replicas", StageNames.Encoder, GridTestFolders.BundleId, 1), gauges);
        Assert.Contains(("raegrid_stage_desired_replicas", StageNames.Decoder, GridTestFolders.BundleId, 1), gauges);
        Assert.Equal(8, gauges.Count);
    }
}
