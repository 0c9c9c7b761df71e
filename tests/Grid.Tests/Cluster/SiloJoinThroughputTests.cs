using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Elastic scale-out and scale-in, measured: a silo joining mid-job raises the job's throughput, and the same silo
/// leaving gracefully (draining) loses no item. The encoder is a service-time stand-in (Grid:StandIn: 400 ms per batch of
/// at most 2, i.e. 5 items/s per silo; no forward pass), so each silo's capacity is fixed by configuration rather than by a
/// CPU shared with the test: throughput is counted in completed items over windows bounded by item counts, not by
/// sleeps, and the expected ratio (2×) is asserted with a wide margin (more than 1.3×).
/// </summary>
public sealed class SiloJoinThroughputTests(ITestOutputHelper output)
{
    const int Count = 160;

    [Fact]
    public async Task A_silo_joining_mid_job_raises_throughput_and_draining_it_loses_no_item()
    {
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([[StageNames.Encoder, StageNames.Decoder], [StageNames.Encoder, StageNames.Decoder]])
        {
            InitialSilos = 1,
            Extra = new Dictionary<string, string?>
            {
                ["Grid:StandIn:encoder"] = "400", ["Grid:StandIn:decoder"] = "0",
                ["Grid:Batching:encoder:MaxBatch"] = "2", ["Grid:Batching:decoder:MaxBatch"] = "8",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var id = TestInputs.JobId("join-rate");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        var started = await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(Count, seed: 5)));

        // Before: one silo, after a warm-up of 6 items, over the next 20.
        await grid.WaitForStatusAsync(id, s => s.Done >= 6, "6 items done", TimeSpan.FromMinutes(2));
        var before = await RateAsync(grid, id, 20);

        // Join; once the new silo's encoder has taken work (the job widened its window to it), over the next 40.
        var joined = await grid.JoinSiloAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (grid.ItemsRun(joined, StageNames.Encoder) < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(grid.ItemsRun(joined, StageNames.Encoder) >= 4, "the joined silo took no work");
        var after = await RateAsync(grid, id, 40);
        output.WriteLine($"throughput before the join {before:F2} items/s, after {after:F2} items/s ({after / before:F2}x; stand-in encoder, 5 items/s per silo)");
        Assert.True(after > 1.3 * before, $"throughput before {before:F2}, after {after:F2} items/s");

        // Scale-in: the joined silo drains (graceful stop) while the job runs; every item still completes, once.
        var atStop = await job.GetStatus();
        Assert.True(atStop.State == JobState.Running && atStop.Pending > 0, $"nothing left to run when the silo left: {GridTestCluster.Describe(atStop)}");
        await grid.StopSiloAsync(joined);
        var final = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        output.WriteLine($"silo {joined} drained with {atStop.Done}/{Count} done; final {GridTestCluster.Describe(final)}; " +
                         $"encoder items: silo 0 {grid.ItemsRun(0, StageNames.Encoder)}, silo {joined} {grid.ItemsRun(joined, StageNames.Encoder)}");
        Assert.True(final.State == JobState.Completed, GridTestCluster.Describe(final));
        Assert.Equal((Count, 0), (final.Done, final.Failed));
        Assert.Equal(Count, folders.OutputTimes(started.OutputPrefix).Count);
    }

    /// <summary>Items/s while the job completes its next <paramref name="items"/> items (polled, 50 ms granularity).</summary>
    static async Task<double> RateAsync(GridTestCluster grid, string id, int items)
    {
        var job = grid.Client.GetGrain<IJobGrain>(id);
        var start = (await job.GetStatus()).Done;
        var clock = Stopwatch.StartNew();
        await grid.WaitForStatusAsync(id, s => s.Done >= start + items || s.IsFinished, $"{items} more items done", TimeSpan.FromMinutes(3));
        var end = (await job.GetStatus()).Done;
        return (end - start) / clock.Elapsed.TotalSeconds;
    }
}
