using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// "Done" means "there": a job audits its outputs against the store before it reports Completed. Outputs that
/// vanish (a store losing acknowledged writes) or change after their items settled are redone and counted, and every
/// item record names an output whose stored bytes hash to the SHA-256 it records.
/// </summary>
public sealed class OutputAuditTests
{
    const int Count = 60;

    [Fact]
    public async Task Outputs_lost_or_changed_in_the_store_after_their_items_settled_are_redone_before_the_job_completes()
    {
        using var folders = new GridTestFolders();
        // Stand-in stages, one item per batch, one partition of ten at a time: the job runs for seconds after its first
        // partition has finished, which is when the test damages that partition's outputs.
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Grid:StandIn:encoder"] = "40", ["Grid:StandIn:decoder"] = "40",
                ["Grid:Batching:encoder:MaxBatch"] = "1", ["Grid:Batching:decoder:MaxBatch"] = "1",
                ["Grid:Pipeline:PartitionSize"] = "10", ["Grid:Pipeline:ActivePartitions"] = "1",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var id = TestInputs.JobId("audit");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        var started = await job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(Count, seed: 9)));

        var firstRecords = $"{started.OutputPrefix}/items/part-00000.jsonl";
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        byte[]? records;
        while ((records = await folders.Store.GetAsync(firstRecords)) is null)
        {
            Assert.True(DateTime.UtcNow < until, "the first partition never finished");
            await Task.Delay(20);
        }
        var running = await job.GetStatus();
        Assert.True(running.State == JobState.Running, $"the job finished before its outputs were damaged: {GridTestCluster.Describe(running)}");
        var outputs = Lines(records).Select(r => r.GetProperty("output").GetString()!).ToList();
        foreach (var lost in outputs.Take(3)) Assert.True(await folders.Store.DeleteAsync(lost));
        await folders.Store.PutAsync(outputs[3], await folders.Store.GetAsync(outputs[4]) ?? [], "image/png"); // changed: another item's image

        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(status.State == JobState.Completed && status.Done == Count, GridTestCluster.Describe(status));
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        Assert.Equal(4, manifest.GetProperty("counts").GetProperty("redone_after_audit").GetInt32());
        var items = await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []);
        Assert.Equal(Count, items.Count);
        foreach (var item in items)
        {
            var name = item.GetProperty("output").GetString()!;
            var stored = await folders.Store.GetAsync(name) ?? throw new Xunit.Sdk.XunitException($"{name} is listed as done but is not stored");
            Assert.Equal(item.GetProperty("sha256").GetString(), OutputProvenance.Sha256(stored));
            Assert.Equal(item.GetProperty("index").GetInt64(), ItemOf(stored, id));
            Assert.Contains("/cpu/", item.GetProperty("producer").GetString());
        }
    }

    [Fact]
    public async Task Two_different_requests_racing_for_one_new_job_id_get_exactly_one_accepted()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(new GridClusterSpec([StageNames.All]), folders);
        var id = TestInputs.JobId("race");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        var a = job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(3, seed: 1)));
        var b = job.Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(4, seed: 2)));
        var outcomes = await Task.WhenAll(Outcome(a), Outcome(b));
        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is InvalidOperationException e && e.Message.Contains("already used by a different request"));
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(2));
        Assert.True(status.State == JobState.Completed && status.Total == (outcomes[0] is null ? 3 : 4), GridTestCluster.Describe(status));
    }

    [Fact]
    public async Task Beyond_MaxConcurrentJobs_a_job_waits_queued_and_runs_when_a_slot_frees()
    {
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Grid:Pipeline:MaxConcurrentJobs"] = "1",
                ["Grid:StandIn:encoder"] = "30", ["Grid:StandIn:decoder"] = "30", ["Grid:Batching:encoder:MaxBatch"] = "1",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var first = TestInputs.JobId("first");
        var second = TestInputs.JobId("second");
        var a = await grid.Client.GetGrain<IJobGrain>(first).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(20, seed: 3)));
        var b = await grid.Client.GetGrain<IJobGrain>(second).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(2, seed: 4)));
        Assert.Equal(JobState.Running, a.State);
        Assert.True(b.State == JobState.Queued && b.Pending == 2, GridTestCluster.Describe(b));

        var firstDone = await grid.WaitForJobAsync(first, TimeSpan.FromMinutes(2));
        var secondDone = await grid.WaitForJobAsync(second, TimeSpan.FromMinutes(2));
        Assert.True(firstDone.State == JobState.Completed, GridTestCluster.Describe(firstDone));
        Assert.True(secondDone.State == JobState.Completed && secondDone.Done == 2, GridTestCluster.Describe(secondDone));
    }

    static async Task<Exception?> Outcome(Task<JobStatus> start)
    {
        try { await start; return null; }
        catch (Exception e) { return e; }
    }

    static List<JsonElement> Lines(byte[] jsonl) =>
        System.Text.Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    static long? ItemOf(byte[] png, string job) =>
        OutputProvenance.PngTag(png) is { } tag && tag.StartsWith($"job={Uri.EscapeDataString(job)};item=")
            ? long.Parse(tag.Split(';')[1]["item=".Length..]) : null;
}
