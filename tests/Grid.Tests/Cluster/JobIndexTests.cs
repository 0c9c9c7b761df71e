using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>The job index stays bounded (finished jobs expire after the retention) and job listings come in pages.</summary>
public sealed class JobIndexTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    static JobRequest OneSample(int label) =>
        new(JobKind.Generate, GridTestFolders.BundleId, Generate: new GenerateSpec([label], 3, Seed: 5, new SamplingSpec(Steps: 2, Guidance: "none")));

    [Fact]
    public async Task A_finished_job_leaves_the_index_once_its_retention_has_passed_and_listings_come_in_pages()
    {
        using var folders = new GridTestFolders();
        // Retention zero: a finished job is dropped at the index's next change; an unfinished one never is.
        var spec = new GridClusterSpec([StageNames.All]) { Extra = new Dictionary<string, string?> { ["Grid:Pipeline:JobRetention"] = "00:00:00" } };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var index = grid.Client.GetGrain<IJobIndexGrain>(0);

        var first = TestInputs.JobId("index-first");
        await grid.Client.GetGrain<IJobGrain>(first).Start(OneSample(0));
        Assert.Contains(first, await index.List());
        var done = await grid.WaitForJobAsync(first, Deadline);
        Assert.True(done.State == JobState.Completed, GridTestCluster.Describe(done));
        Assert.Contains(first, await index.List()); // finished, kept until the index next changes

        var second = TestInputs.JobId("index-second");
        await grid.Client.GetGrain<IJobGrain>(second).Start(OneSample(1));
        Assert.Equal([second], await index.List());
        Assert.Equal(1, await index.Count());
        Assert.Empty(await index.List(offset: 1, count: 10));
        // The expired job's outputs stay in the store; only the index forgot it.
        Assert.True(await folders.Store.ExistsAsync(done.Manifest!));

        // A job's outputs listed one name per page give exactly the whole listing, in order.
        var reader = grid.Client.GetGrain<IOutputReaderGrain>(0);
        var whole = await reader.List($"{done.OutputPrefix}/");
        var paged = new List<string>();
        string? after = null;
        while (await reader.List($"{done.OutputPrefix}/", after, 1) is [var name])
        {
            paged.Add(name);
            after = name;
        }
        Assert.Equal(whole, paged);
        Assert.True(whole.Length >= 3 + 2, $"expected 3 outputs, the manifest and its records among [{string.Join(", ", whole)}]");
    }
}
