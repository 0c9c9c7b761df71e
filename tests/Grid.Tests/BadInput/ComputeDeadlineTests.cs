using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// A per-item compute deadline (Grid:Limits:ItemComputeSeconds, 1 s on this cluster) stops a runaway diffusion batch
/// between ODE steps and fails its items for good (one attempt, no retry), and the stage then serves other jobs.
/// A 1000-step Heun solve with AutoGuidance makes about 4000 forward passes of the tiny DiT, a 2-point Euler solve 2.
/// </summary>
[Collection(LimitsCluster.Name)]
public sealed class ComputeDeadlineTests(LimitsClusterFixture fixture)
{
    static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(3);
    readonly GridTestCluster _grid = fixture.Grid;

    async Task<(JobStatus Status, List<JsonElement> Items)> RunAsync(string what, SamplingSpec sampling)
    {
        var id = TestInputs.JobId(what);
        await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Generate, GridTestFolders.BundleId,
            Generate: new GenerateSpec([1], PerClass: 2, Seed: 5, sampling)));
        var status = await _grid.WaitForJobAsync(id, JobDeadline);
        var manifest = JsonDocument.Parse(await _grid.Folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        return (status, await ManifestItems.ReadAsync(manifest, async n => await _grid.Folders.Store.GetAsync(n) ?? []));
    }

    [Fact]
    public async Task A_runaway_batch_is_stopped_at_the_compute_deadline_not_retried_and_the_stage_serves_the_next_job()
    {
        // Warm the stage (model load and first passes are not what the deadline measures).
        var before = await RunAsync("deadline-warm", new SamplingSpec(Steps: 2));
        Assert.True(before.Status.State == JobState.Completed, GridTestCluster.Describe(before.Status));

        var runaway = await RunAsync("deadline-runaway", new SamplingSpec(Steps: 1000, Sampler: "heun"));
        Assert.True(runaway.Status is { State: JobState.CompletedWithErrors, Failed: 2 }, GridTestCluster.Describe(runaway.Status));
        foreach (var item in runaway.Items)
        {
            Assert.Equal("Failed", item.GetProperty("phase").GetString());
            Assert.Equal(1, item.GetProperty("attempts").GetInt32()); // not retried
            var error = item.GetProperty("error").GetString()!;
            Assert.Contains($"over ItemComputeSeconds {LimitsClusterFixture.ItemComputeSeconds}", error);
            Assert.Contains("steps 1000", error);
        }

        var after = await RunAsync("deadline-after", new SamplingSpec(Steps: 2));
        Assert.True(after.Status.State == JobState.Completed, GridTestCluster.Describe(after.Status));
    }
}
