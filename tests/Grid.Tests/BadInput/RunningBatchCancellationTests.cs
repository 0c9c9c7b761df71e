using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// Cancelling a job reaches into its running diffusion batch: on a cluster that allows a million-step solve (hours of
/// work for the tiny bundle), a job cancelled while its batch runs frees the diffusion stage, so a small job submitted
/// next completes. Without the batch's cancellation the stage would be held far beyond the test's deadline.
/// </summary>
public sealed class RunningBatchCancellationTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Cancelling_a_job_stops_its_running_diffusion_batch_between_steps()
    {
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?> { ["Grid:Limits:MaxSteps"] = "1000000" },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var runaway = grid.Client.GetGrain<IJobGrain>(TestInputs.JobId("runaway"));
        var status = await runaway.Start(new JobRequest(JobKind.Generate, GridTestFolders.BundleId,
            Generate: new GenerateSpec([1], 2, 0, new SamplingSpec(Steps: 1_000_000))));
        var stage = grid.Stages(0);
        await Until(() => stage.Running(StageNames.Diffusion, GridTestFolders.BundleId) == 2, "the runaway batch never started", grid);

        var cancelled = await runaway.Cancel();
        Assert.True(cancelled is { State: JobState.Cancelled, Done: 0 }, GridTestCluster.Describe(cancelled));
        await Until(() => stage.Running(StageNames.Diffusion, GridTestFolders.BundleId) == 0, "the cancelled batch ran on", grid);

        var next = TestInputs.JobId("after-runaway");
        await grid.Client.GetGrain<IJobGrain>(next).Start(new JobRequest(JobKind.Generate, GridTestFolders.BundleId,
            Generate: new GenerateSpec([2], 1, 0, new SamplingSpec(Steps: 2))));
        var after = await grid.WaitForJobAsync(next, Deadline);
        Assert.True(after.State == JobState.Completed, $"{GridTestCluster.Describe(after)}\n{grid.Log.Tail()}");
    }

    static async Task Until(Func<bool> condition, string otherwise, GridTestCluster grid)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"{otherwise} within {Deadline.TotalMinutes} minutes\n{grid.Log.Tail()}");
            await Task.Delay(20);
        }
    }
}
