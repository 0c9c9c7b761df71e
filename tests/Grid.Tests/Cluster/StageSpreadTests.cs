using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>When every silo hosts every stage, one job's items are spread over all of them.</summary>
[Collection(AllStagesCluster.Name)]
public sealed class StageSpreadTests(AllStagesClusterFixture fixture)
{
    readonly GridTestCluster _grid = fixture.Grid;

    [Fact]
    public async Task The_items_of_one_job_spread_over_both_silos_hosting_the_stages()
    {
        const int count = 20;
        var before = _grid.ItemsRunSnapshot();
        var id = TestInputs.JobId("spread");
        await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(count)));
        var status = await _grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));

        var after = _grid.ItemsRunSnapshot();
        foreach (var stage in new[] { StageNames.Encoder, StageNames.Decoder })
        {
            var perSilo = Enumerable.Range(0, 2).Select(s => after[(s, stage)] - before[(s, stage)]).ToArray();
            Assert.Equal(count, perSilo.Sum());
            Assert.All(perSilo, n => Assert.True(n > 0, $"{stage}: items per silo {string.Join(", ", perSilo)}"));
        }
    }
}
