using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Jobs split into many partitions (PartitionSize 4, two running at once) on two silos: every item is done exactly once
/// and recorded once, a bad item fails alone and is found by paging the job's errors, and a job can take its images
/// straight from a store prefix.
/// </summary>
public sealed class PartitionedJobTests
{
    const int PartitionSize = 4;
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    static GridClusterSpec Spec() => new([StageNames.All, StageNames.All])
    {
        Extra = new Dictionary<string, string?>
        {
            ["Grid:Pipeline:PartitionSize"] = PartitionSize.ToString(),
            ["Grid:Pipeline:ActivePartitions"] = "2",
        },
    };

    [Fact]
    public async Task A_job_of_many_partitions_from_a_store_prefix_records_every_item_once_and_pages_its_errors()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(Spec(), folders);

        // 21 images already in the store (as photos in a blob container would be), two of them not images at all,
        // plus a file that is not an image by name, which the listing leaves out.
        const int count = 21;
        var images = TestInputs.RandomPngs(count, seed: 7, prefix: "photo");
        int[] broken = [5, 18];
        for (int i = 0; i < count; i++)
            await folders.Store.PutAsync($"photos/{images[i].Name}", broken.Contains(i) ? "not a png"u8.ToArray() : images[i].Inline!, "image/png");
        await folders.Store.PutAsync("photos/readme.txt", "notes"u8.ToArray(), "text/plain");

        var id = TestInputs.JobId("partitions");
        var started = await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, InputPrefix: "photos/"));
        Assert.Equal(count, started.Total);
        var status = await grid.WaitForJobAsync(id, Deadline);
        Assert.True(status.State == JobState.CompletedWithErrors, GridTestCluster.Describe(status));
        Assert.Equal((count - broken.Length, broken.Length), (status.Done, status.Failed));

        // The manifest names one records file per partition; together they hold every item once, in order.
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        var partitions = (count + PartitionSize - 1) / PartitionSize;
        Assert.Equal(partitions, manifest.GetProperty("partitions").GetInt32());
        Assert.Equal(partitions, manifest.GetProperty("item_files").GetArrayLength());
        var items = await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []);
        Assert.Equal(Enumerable.Range(0, count), items.Select(i => i.GetProperty("index").GetInt32()));
        for (int i = 0; i < count; i++)
        {
            Assert.Equal($"photos/{images[i].Name}", items[i].GetProperty("input").GetString());
            Assert.Equal(broken.Contains(i) ? "Failed" : "Done", items[i].GetProperty("phase").GetString());
            if (!broken.Contains(i))
                Assert.True(await folders.Store.ExistsAsync(items[i].GetProperty("output").GetString()!), $"item {i}'s output is not stored");
        }

        // Errors come paged from the partitions, in index order.
        var job = grid.Client.GetGrain<IJobGrain>(id);
        Assert.Equal(broken, (await job.GetErrors(0, 10)).Select(e => e.Index));
        Assert.Equal([18], (await job.GetErrors(1, 10)).Select(e => e.Index));
        Assert.Equal([5], (await job.GetErrors(0, 1)).Select(e => e.Index));
        Assert.Contains("photo-05", Assert.Single(await job.GetErrors(0, 1)).Message);

        // Every partition grain finished and holds only its own items.
        for (int p = 0; p < partitions; p++)
        {
            var errors = await grid.SiloGrains.GetGrain<IPartitionGrain>(PartitionPlan.KeyOf(id, p)).Errors(0, 10);
            Assert.Equal(broken.Where(b => b / PartitionSize == p), errors.Select(e => e.Index));
        }
    }

    [Fact]
    public async Task A_store_prefix_without_images_is_rejected_naming_it()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(Spec(), folders);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => grid.Client.GetGrain<IJobGrain>(TestInputs.JobId("empty"))
            .Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, InputPrefix: "nothing-here/")));
        Assert.Contains("no image under store prefix 'nothing-here/'", e.Message);
    }
}
