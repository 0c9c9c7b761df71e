using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Scale-out: a silo that joins a running cluster takes work from a job already running, while the silo that was there
/// keeps running untouched (same silo, same job activation, same loaded stages).
/// </summary>
public sealed class SiloJoinTests(ITestOutputHelper output)
{
    const int Count = 40;

    [Fact]
    public async Task A_silo_that_joins_takes_work_without_restarting_the_others()
    {
        using var folders = new GridTestFolders();
        // Two silos described alike, one started: the second joins mid-job. Stages are slow (each batch waits MaxWaitMs
        // for company that does not come: the window is two items) so the job is still running when the silo has joined.
        var spec = new GridClusterSpec([StageNames.All, StageNames.All])
        {
            InitialSilos = 1,
            Extra = new Dictionary<string, string?>
            {
                ["Grid:Batching:encoder:MaxBatch"] = "64",
                ["Grid:Batching:encoder:MaxWaitMs"] = "300",
                ["Grid:Batching:decoder:MaxBatch"] = "64",
                ["Grid:Batching:decoder:MaxWaitMs"] = "300",
                ["Grid:Pipeline:MaxInFlightItems"] = "2",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var first = grid.Silo(0);
        var firstAddress = first.SiloAddress;
        var firstStages = grid.Stages(0);

        var id = TestInputs.JobId("join");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(Count, seed: 11)));
        var running = await grid.WaitForStatusAsync(id, s => s.Done >= 2 || s.IsFinished, "2 items done", TimeSpan.FromMinutes(3));
        Assert.True(running.State == JobState.Running, $"the job finished before the join: {GridTestCluster.Describe(running)}");
        var activation = grid.ActivationOf(job);
        Assert.NotNull(activation);
        Assert.Equal(firstAddress, activation.SiloAddress);

        var joined = await grid.JoinSiloAsync();
        Assert.Equal(1, joined);
        var atJoin = await job.GetStatus();
        Assert.True(atJoin.State == JobState.Running && atJoin.Pending > 0,
            $"the job had no pending items left once the silo joined: {GridTestCluster.Describe(atJoin)}");
        var firstRunBeforeJoin = grid.ItemsRun(0, StageNames.Encoder);

        var final = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        output.WriteLine($"silo {joined} joined with {atJoin.Done}/{Count} items done; first silo had encoded {firstRunBeforeJoin}");
        foreach (var ((silo, stage), n) in grid.ItemsRunSnapshot().Where(kv => kv.Value > 0)) output.WriteLine($"  silo {silo} {stage}: {n} items");
        Assert.True(final.State == JobState.Completed, GridTestCluster.Describe(final) + "\n" + grid.Log.Tail());
        Assert.Equal(Count, final.Done);
        Assert.Equal(Count, folders.OutputTimes(final.OutputPrefix).Count);

        // The new silo's stages ran some of the job's items; every item ran once in all (again only if an attempt was
        // retried, e.g. a call that reached the new silo before it could take stage grains).
        var retries = grid.Log.Matching("retrying").Count(l => l.Contains(id));
        foreach (var stage in new[] { StageNames.Encoder, StageNames.Decoder })
        {
            long onFirst = grid.ItemsRun(0, stage), onJoined = grid.ItemsRun(joined, stage);
            Assert.True(onJoined > 0, $"{stage}: the joined silo ran no items (first silo {onFirst})");
            Assert.InRange(onFirst + onJoined, Count, Count + retries);
        }
        // The first silo kept working after the join as well: work spread, it did not move.
        Assert.True(grid.ItemsRun(0, StageNames.Encoder) > firstRunBeforeJoin, "the first silo ran no items after the join");

        // The first silo was never restarted: same handle, same address (a restart gets a new generation), still active in
        // every silo's view, the same stage engines (models loaded once), and the job kept its activation throughout.
        Assert.Same(first, grid.Silo(0));
        Assert.True(first.IsActive);
        Assert.Equal(firstAddress, grid.Silo(0).SiloAddress);
        Assert.Same(firstStages, grid.Silo(0).ServiceProvider.GetRequiredService<RAE.Grid.Grains.Stages.StageRuntime>());
        foreach (var silo in grid.Cluster.Silos)
        {
            var members = silo.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
            Assert.Equal(SiloStatus.Active, members.GetSiloStatus(firstAddress));
        }
        var activationAfter = grid.ActivationOf(job);
        Assert.NotNull(activationAfter);
        Assert.Equal(activation.ActivationId, activationAfter.ActivationId);
        Assert.Equal(firstAddress, activationAfter.SiloAddress);
        Assert.Empty(grid.Log.Matching("resumes"));
        Assert.Equal(2, grid.Log.Matching("Loaded bundle").Count); // once per silo: the first silo did not reload its model
    }
}
