using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>Cancelling a running job on a slow single-silo cluster.</summary>
public sealed class JobCancelTests
{
    [Fact]
    public async Task A_cancelled_job_keeps_its_finished_outputs_and_reports_the_rest_cancelled()
    {
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Grid:Batching:encoder:MaxBatch"] = "64",
                ["Grid:Batching:encoder:MaxWaitMs"] = "300",
                ["Grid:Pipeline:MaxInFlightItems"] = "1",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var id = TestInputs.JobId("cancel");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        const int count = 12;
        var status = await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(count)));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (status.Done < 1)
        {
            Assert.True(DateTime.UtcNow < until, $"job made no progress: {GridTestCluster.Describe(status)}\n{grid.Log.Tail()}");
            await Task.Delay(50);
            status = await job.GetStatus();
        }

        var cancelled = await job.Cancel();
        Assert.True(cancelled.State == JobState.Cancelled, $"{GridTestCluster.Describe(cancelled)}\n{grid.Log.Tail()}");
        Assert.True(cancelled.Cancelled > 0, GridTestCluster.Describe(cancelled));
        Assert.Equal(count, cancelled.Done + cancelled.Cancelled + cancelled.Failed);
        Assert.NotNull(cancelled.Finished);
        // The manifest is in the store as soon as the job reports it is cancelled.
        Assert.True(await folders.Store.ExistsAsync(cancelled.Manifest!));
        var stored = Directory.GetFiles(Path.GetDirectoryName(folders.Store.PathOf(cancelled.Manifest!))!, "*_img-*.png");
        Assert.Equal(cancelled.Done, stored.Length);

        // Cancelling again, or starting the same request again, changes nothing.
        Assert.Equal(JobState.Cancelled, (await job.Cancel()).State);
        Assert.Equal(cancelled.Done, (await job.GetStatus()).Done);
        Assert.DoesNotContain(id, await grid.SiloGrains.GetGrain<IJobIndexGrain>(0).Unfinished());
    }
}
