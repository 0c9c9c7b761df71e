using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Scale-in and crashes: a silo that leaves a two-silo cluster mid-job — killed (a crash) or stopped gracefully — loses no
/// job. Job state is in files both silos share (State:Kind=local), outputs in the shared local store, as a real grid
/// shares Redis and blob storage.
/// </summary>
public sealed class SiloLeaveTests(ITestOutputHelper output)
{
    const int Count = 24;
    const int Window = 4;

    /// <summary>Two silos hosting every stage; stages slow enough (each batch waits MaxWaitMs) to leave mid-job.</summary>
    static GridClusterSpec TwoSlowSilos() => new([StageNames.All, StageNames.All])
    {
        StateKind = "local",
        Extra = new Dictionary<string, string?>
        {
            ["Grid:Batching:encoder:MaxBatch"] = "64",
            ["Grid:Batching:encoder:MaxWaitMs"] = "400",
            ["Grid:Batching:decoder:MaxBatch"] = "64",
            ["Grid:Batching:decoder:MaxWaitMs"] = "400",
            ["Grid:Pipeline:MaxInFlightItems"] = Window.ToString(),
            ["Grid:Pipeline:CheckpointEveryItems"] = "1",
        },
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_silo_that_leaves_loses_no_job(bool crash)
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(TwoSlowSilos(), folders);
        var id = TestInputs.JobId("leave");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        var started = await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(Count, seed: 21)));
        var running = await grid.WaitForStatusAsync(id, s => s.Done >= 4 || s.IsFinished, "4 items done", TimeSpan.FromMinutes(3));
        Assert.True(running.State == JobState.Running, $"the job finished before the silo left: {GridTestCluster.Describe(running)}");

        // The silo hosting the job grain leaves.
        var before = grid.ActivationOf(job);
        Assert.NotNull(before);
        var leaving = grid.SiloIndexOf(before.SiloAddress!);
        var survivor = 1 - leaving;
        var survivorAddress = grid.Silo(survivor).SiloAddress;
        var outputsAtLeave = folders.OutputTimes(started.OutputPrefix);
        Assert.True(outputsAtLeave.Count < Count, "every output was stored before the silo left: nothing left to resume");
        if (crash)
        {
            grid.StageCalls(leaving).Hang(); // a crash: its stages answer nothing more
            await grid.KillSiloAsync(leaving);
        }
        else await grid.StopSiloAsync(leaving);

        // Polling from the client re-activates the job on the surviving silo, which resumes it.
        var final = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Report(grid, id, $"job silo {leaving} {(crash ? "killed" : "stopped")} with {outputsAtLeave.Count} outputs stored");
        Assert.True(final.State == JobState.Completed, GridTestCluster.Describe(final) + "\n" + grid.Log.Tail());
        Assert.Equal(Count, final.Done);
        Assert.Equal(0, final.Failed);
        var after = grid.ActivationOf(job);
        Assert.NotNull(after);
        Assert.Equal(survivorAddress, after.SiloAddress);
        Assert.Contains(grid.Log.Matching($"Job {id} resumes"), l => l.Contains(id));

        // Every output is in the store, with the manifest; those stored before the silo left were not written again.
        var outputsAtEnd = folders.OutputTimes(final.OutputPrefix);
        Assert.Equal(Count, outputsAtEnd.Count);
        Assert.True(await folders.Store.ExistsAsync(final.Manifest!), "no manifest");
        foreach (var (name, written) in outputsAtLeave)
            Assert.True(outputsAtEnd[name] == written, $"{name} was written again after the silo left");
        // Nothing ran again but the items in flight when the silo left (at most the window) and retried attempts.
        var retries = grid.Log.Matching("retrying").Count(l => l.Contains(id));
        foreach (var stage in new[] { StageNames.Encoder, StageNames.Decoder })
        {
            var runs = grid.ItemsRunByAll(stage);
            Assert.True(runs >= Count && runs <= Count + Window + retries,
                $"{stage}: {runs} runs for {Count} items (window {Window}, {retries} retries)");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_stage_silo_that_leaves_has_its_in_flight_items_retried_on_the_other(bool crash)
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(TwoSlowSilos(), folders);
        var id = TestInputs.JobId("leave-stage");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(Count, seed: 31)));
        var running = await grid.WaitForStatusAsync(id, s => s.Done >= 2 || s.IsFinished, "2 items done", TimeSpan.FromMinutes(3));
        Assert.True(running.State == JobState.Running, $"the job finished before the silo left: {GridTestCluster.Describe(running)}");

        // The silo NOT hosting the job grain leaves while it is serving stage calls of the job. A crash: it stops answering
        // (those calls are lost), then dies. A graceful stop: its queued calls finish, new ones are turned away. The job's
        // one partition is placed like any grain: on the silo that stays, or on the one that leaves (then it resumes).
        var before = grid.ActivationOf(job);
        Assert.NotNull(before);
        var partition = grid.ActivationOf(grid.Client.GetGrain<IPartitionGrain>(PartitionPlan.KeyOf(id, 0)));
        Assert.NotNull(partition);
        var partitionLeaves = partition.SiloAddress != before.SiloAddress;
        var stay = grid.SiloIndexOf(before.SiloAddress!);
        var leaving = 1 - stay;
        var calls = grid.StageCalls(leaving);
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        if (crash) calls.Hang();
        while (calls.InFlight == 0)
        {
            Assert.True(DateTime.UtcNow < until, $"silo {leaving} never had a stage call in flight\n{grid.Log.Tail()}");
            await Task.Delay(10);
        }
        var inFlightAtLeave = calls.InFlight;
        if (crash) await grid.KillSiloAsync(leaving);
        else
        {
            grid.SlowLeave(leaving).Delay = TimeSpan.FromSeconds(5);
            await grid.StopSiloAsync(leaving);
        }
        var ranOnLeaving = grid.ItemsRun(leaving, StageNames.Encoder);

        var final = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Report(grid, id, $"stage silo {leaving} {(crash ? "killed" : "stopped")} with {inFlightAtLeave} calls in flight, after running {ranOnLeaving} encodes");
        Assert.True(final.State == JobState.Completed, GridTestCluster.Describe(final) + "\n" + grid.Log.Tail());
        Assert.Equal(Count, final.Done);
        Assert.Equal(0, final.Failed);
        Assert.Equal(Count, folders.OutputTimes(final.OutputPrefix).Count);
        // The job never moved: only its stage calls went elsewhere.
        var after = grid.ActivationOf(job);
        Assert.NotNull(after);
        Assert.Equal(before.ActivationId, after.ActivationId);
        Assert.Empty(grid.Log.Matching($"Job {id} resumes"));
        // After it left, the silo ran nothing more; the rest ran on the silo that stayed.
        Assert.Equal(ranOnLeaving, grid.ItemsRun(leaving, StageNames.Encoder));
        Assert.True(grid.ItemsRun(stay, StageNames.Encoder) >= Count - ranOnLeaving);
        if (partitionLeaves && crash)
        {
            // The partition died with the silo: the job's next ping re-activated it on the silo that stayed, which
            // resumed it from its checkpoint. (On a graceful stop the partition keeps working while the silo drains, and
            // may finish there before it is deactivated: then there is nothing to resume; the job's completion above is
            // what counts.)
            Assert.Contains(grid.Log.Matching($"Job {id} partition 0 resumes"), l => l.Contains(id));
        }
        else if (crash && !partitionLeaves)
        {
            // Its calls in flight were lost and retried on the silo that stayed (a graceful stop lets queued calls finish).
            Assert.True(grid.Log.Matching("retrying").Count(l => l.Contains(id)) >= inFlightAtLeave,
                $"{inFlightAtLeave} calls were lost, but fewer retries were logged");
        }
    }

    /// <summary>Per-silo stage counts and the job's retry/resume log lines, for the test output.</summary>
    void Report(GridTestCluster grid, string id, string what)
    {
        output.WriteLine(what);
        foreach (var ((silo, stage), n) in grid.ItemsRunSnapshot().Where(kv => kv.Value > 0)) output.WriteLine($"  silo {silo} {stage}: {n} items");
        foreach (var line in grid.Log.Matching(id).Where(l => !l.Contains("Information"))) output.WriteLine("  " + line);
        foreach (var line in grid.Log.Matching("resumes")) output.WriteLine("  " + line);
    }
}
