using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// A job's contact sheet is made by a decoder stage (the job grain only names the images). On a grid with no decoder
/// stage for the bundle, an encode job — the one kind that needs none — finishes at once without a sheet rather than
/// waiting for a stage that will not come.
/// </summary>
public sealed class ContactSheetStageTests
{
    [Fact]
    public async Task An_encode_job_on_an_encoder_only_grid_finishes_without_a_contact_sheet()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(new GridClusterSpec([[StageNames.Encoder]]), folders);
        var id = TestInputs.JobId("encode-only");
        var clock = Stopwatch.StartNew();
        await grid.Client.GetGrain<IJobGrain>(id).Start(
            new JobRequest(JobKind.Encode, GridTestFolders.BundleId, TestInputs.RandomPngs(3, seed: 3, prefix: "enc"), ShardSize: 4));
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(2));

        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.Null(status.ContactSheet);
        Assert.NotNull(await folders.Store.GetAsync(status.Manifest!));
        Assert.False(await folders.Store.ExistsAsync($"{status.OutputPrefix}/contact-sheet.png"));
        // Well inside the 60 s a stage call waits out a missing host: the job never asked for one.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}");
    }
}
