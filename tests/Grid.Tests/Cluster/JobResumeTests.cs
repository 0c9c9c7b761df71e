using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// A job survives a cluster restart: job state in local files (State:Kind=local), outputs in the local store. The
/// stages are made slow (every batch waits MaxWaitMs for company that never comes, with a window of two items), the
/// cluster is stopped part-way, and a new cluster on the same folders finishes the job without redoing finished items.
/// </summary>
public sealed class JobResumeTests
{
    const int Count = 16;

    static GridClusterSpec SlowSingleSilo() => new([StageNames.All])
    {
        StateKind = "local",
        Extra = new Dictionary<string, string?>
        {
            ["Grid:Batching:encoder:MaxBatch"] = "64",
            ["Grid:Batching:encoder:MaxWaitMs"] = "300",
            ["Grid:Batching:decoder:MaxBatch"] = "64",
            ["Grid:Batching:decoder:MaxWaitMs"] = "300",
            ["Grid:Pipeline:MaxInFlightItems"] = "2",
            ["Grid:Pipeline:CheckpointEveryItems"] = "1",
        },
    };

    [Fact]
    public async Task A_job_resumed_by_a_new_cluster_completes_without_recomputing_finished_items()
    {
        using var folders = new GridTestFolders();
        var spec = SlowSingleSilo();
        var id = TestInputs.JobId("resume");
        var images = TestInputs.RandomPngs(Count, seed: 5);
        string prefix;
        int doneBeforeStop;
        Dictionary<string, DateTime> outputsAtStop;

        var first = await GridTestCluster.StartAsync(spec, folders);
        try
        {
            var started = await first.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, images));
            prefix = started.OutputPrefix;
            var status = started;
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (status.Done < 4)
            {
                Assert.True(DateTime.UtcNow < until, $"job made no progress: {GridTestCluster.Describe(status)}\n{first.Log.Tail()}");
                await Task.Delay(50);
                status = await first.Client.GetGrain<IJobGrain>(id).GetStatus();
            }
            Assert.True(status.State == JobState.Running && status.Done < Count, $"the job finished before the stop: {GridTestCluster.Describe(status)}");
            doneBeforeStop = status.Done;
        }
        finally
        {
            await first.DisposeAsync(); // graceful: stages drain, the job grain persists and deactivates
        }
        outputsAtStop = OutputTimes(folders, prefix);
        Assert.True(outputsAtStop.Count >= doneBeforeStop, $"{outputsAtStop.Count} outputs stored, {doneBeforeStop} reported done");
        Assert.True(outputsAtStop.Count < Count, "every output was stored before the restart: nothing left to resume");

        await using var second = await GridTestCluster.StartAsync(spec, folders);
        // Polling activates the job grain, which resumes (the silo's start-up also pokes unfinished jobs).
        var final = await second.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(final.State == JobState.Completed, GridTestCluster.Describe(final) + "\n" + second.Log.Tail());
        Assert.Equal(Count, final.Done);

        // Only the items without a stored output ran again; those finished before the stop were not rewritten.
        var rerun = second.ItemsRun(0, StageNames.Encoder);
        Assert.True(rerun <= Count - doneBeforeStop, $"{rerun} items re-encoded; {doneBeforeStop} were done before the stop");
        Assert.Equal(Count - outputsAtStop.Count, rerun);
        Assert.Equal(rerun, second.ItemsRun(0, StageNames.Decoder));
        var outputsAtEnd = OutputTimes(folders, prefix);
        Assert.Equal(Count, outputsAtEnd.Count);
        foreach (var (name, written) in outputsAtStop)
            Assert.True(outputsAtEnd[name] == written, $"{name} was rewritten after the restart");
        Assert.Contains(second.Log.Matching("resumes"), l => l.Contains(id));
    }

    /// <summary>Item outputs (not inputs, manifest or sheet) of a job and their last write times.</summary>
    static Dictionary<string, DateTime> OutputTimes(GridTestFolders folders, string prefix)
    {
        var dir = folders.Store.PathOf(prefix + "/x")[..^2];
        if (!Directory.Exists(dir)) return new();
        return Directory.GetFiles(dir, "*_img-*.png").ToDictionary(f => Path.GetFileName(f)!, f => File.GetLastWriteTimeUtc(f));
    }
}
