using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;
using StbImageSharp;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Operations;

/// <summary>
/// Multi-device silos on CPU: a silo with <c>Grid:Devices</c> ["cpu","cpu"] runs two replicas of each stage, each with
/// its own batcher, routed like two hosts — both run items of one job, the cluster report lists both, and the outputs
/// are those of a one-device silo (each item's noise is seeded by its index, not by where it runs).
/// </summary>
public sealed class MultiDeviceTests(ITestOutputHelper output)
{
    const int Classes = 4, PerClass = 3;

    static JobRequest Job() => new(JobKind.Generate, GridTestFolders.BundleId,
        Generate: new GenerateSpec(Enumerable.Range(0, Classes).ToArray(), PerClass, Seed: 7, new SamplingSpec(Steps: 2, Guidance: "none")));

    static GridClusterSpec Spec(params string[] devices)
    {
        // One item per batch: each item is computed alone on either silo, so the two runs' pixels can be compared exactly.
        var extra = new Dictionary<string, string?>
        {
            ["Grid:Batching:diffusion:MaxBatch"] = "1",
            ["Grid:Batching:decoder:MaxBatch"] = "1",
            ["Grid:Pipeline:MaxInFlightItems"] = "8",
        };
        for (int i = 0; i < devices.Length; i++) extra[$"Grid:Devices:{i}"] = devices[i];
        return new GridClusterSpec([StageNames.All]) { Extra = extra };
    }

    [Fact]
    public async Task Two_cpu_devices_give_each_stage_two_replicas_that_share_a_job_and_match_a_one_device_run()
    {
        using var folders = new GridTestFolders();
        Dictionary<long, byte[]> twoDevices, oneDevice;
        await using (var grid = await GridTestCluster.StartAsync(Spec("cpu", "cpu"), folders))
        {
            var (status, pixels) = await RunAsync(grid, folders, "two-devices");
            twoDevices = pixels;
            var silo = Assert.Single(await grid.Client.GetGrain<IClusterReportGrain>(0).Silos());
            Assert.Equal(["cpu", "cpu"], silo.Devices);
            foreach (var stage in new[] { StageNames.Diffusion, StageNames.Decoder })
            {
                var replicas = silo.Replicas.Where(r => r.Stage == stage && r.Bundle == GridTestFolders.BundleId).OrderBy(r => r.Replica).ToList();
                foreach (var r in replicas)
                    output.WriteLine($"{stage} replica {r.Replica} on {r.Device}: {r.Items} items in {r.Batches} batches");
                Assert.Equal([0, 1], replicas.Select(r => r.Replica));
                Assert.All(replicas, r => Assert.True(r.Loaded && r.Items > 0, $"{stage} replica {r.Replica} ran no items"));
                Assert.Equal(Classes * PerClass, replicas.Sum(r => r.Items));
            }
            Assert.Equal(2, silo.Scaling.Single(x => x.Stage == StageNames.Diffusion && x.Bundle == GridTestFolders.BundleId).CurrentReplicas);
            // Two replicas on one device name: one loaded copy of the model, shared (ModelHost loads per bundle and device).
            Assert.Single(grid.Log.Matching($"Loaded bundle {GridTestFolders.BundleId} "));
            Assert.Equal(Classes * PerClass, status.Done);
        }
        await using (var grid = await GridTestCluster.StartAsync(Spec(), folders))
        {
            (_, oneDevice) = await RunAsync(grid, folders, "one-device");
            var silo = Assert.Single(await grid.Client.GetGrain<IClusterReportGrain>(0).Silos());
            Assert.Single(silo.Replicas, r => r.Stage == StageNames.Diffusion && r.Bundle == GridTestFolders.BundleId);
        }
        Assert.Equal(Classes * PerClass, oneDevice.Count);
        Assert.Equal(oneDevice.Keys.Order(), twoDevices.Keys.Order());
        foreach (var (index, pixels) in oneDevice)
            Assert.True(pixels.AsSpan().SequenceEqual(twoDevices[index]), $"item {index}: the two-replica silo's image differs from the one-device silo's");
    }

    /// <summary>Runs <see cref="Job"/> to completion; its status and every item's decoded RGB pixels by item index.</summary>
    static async Task<(JobStatus, Dictionary<long, byte[]>)> RunAsync(GridTestCluster grid, GridTestFolders folders, string name)
    {
        var id = TestInputs.JobId(name);
        await grid.Client.GetGrain<IJobGrain>(id).Start(Job());
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(5));
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? throw new Xunit.Sdk.XunitException("no manifest")).RootElement;
        var pixels = new Dictionary<long, byte[]>();
        foreach (var item in await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []))
        {
            var png = await folders.Store.GetAsync(item.GetProperty("output").GetString()!) ?? throw new Xunit.Sdk.XunitException("missing output");
            pixels[item.GetProperty("index").GetInt64()] = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue).Data;
        }
        return (status, pixels);
    }
}
