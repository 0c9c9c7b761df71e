using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;
using StbImageSharp;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// A cluster whose encoder and decoder are service-time stand-ins (Grid:StandIn) runs a reconstruct job through the
/// whole grid — job grain, routing, stage grains, batching, store — and its outputs have the shapes real ones would.
/// </summary>
public sealed class StandInJobTests
{
    [Fact]
    public async Task A_reconstruct_job_on_stand_in_stages_completes_with_outputs_of_the_right_size()
    {
        const int count = 6;
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([[StageNames.Encoder], [StageNames.Decoder]])
        {
            Extra = new Dictionary<string, string?> { ["Grid:StandIn:encoder"] = "30", ["Grid:StandIn:decoder"] = "20" },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);

        var id = TestInputs.JobId("stand-in");
        await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(count)));
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.Equal(count, status.Done);

        var size = RaeBundle.Load(folders.BundlePath).Stage1.Params.InputImageSize;
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? throw new Xunit.Sdk.XunitException("no manifest")).RootElement;
        var outputs = new List<byte[]>();
        foreach (var item in await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []))
        {
            var png = await folders.Store.GetAsync(item.GetProperty("output").GetString()!) ?? throw new Xunit.Sdk.XunitException("missing output");
            Assert.Equal((size, size), TestInputs.PngSize(png));
            outputs.Add(png);
        }
        Assert.Equal(count, outputs.Count);
        // The stand-in decoder's flat colours, one per item: these are not model outputs, and the silos said so.
        Assert.All(outputs, png => Assert.Single(ImageResult.FromMemory(png, ColorComponents.RedGreenBlue).Data.Chunk(3).Select(p => (p[0], p[1], p[2])).Distinct()));
        Assert.Equal(count, outputs.Select(Convert.ToBase64String).Distinct().Count());
        Assert.Single(grid.Log.Matching($"Stage {StageNames.Encoder}/{GridTestFolders.BundleId} is a STAND-IN"));
        Assert.Single(grid.Log.Matching($"Stage {StageNames.Decoder}/{GridTestFolders.BundleId} is a STAND-IN"));
        Assert.Equal(count, grid.ItemsRun(0, StageNames.Encoder));
        Assert.Equal(count, grid.ItemsRun(1, StageNames.Decoder));
    }
}
