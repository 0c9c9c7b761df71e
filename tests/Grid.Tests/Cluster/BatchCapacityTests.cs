using Microsoft.Extensions.DependencyInjection;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Silos advertise each hosted stage's MaxBatch in their metadata ("rae.max_batch"), and <see cref="StageDirectory.BatchCapacity"/>
/// adds them up over the silos hosting a stage, so job grains can size their windows to the cluster.
/// </summary>
public sealed class BatchCapacityTests
{
    [Fact]
    public void The_advertised_value_names_each_hosted_stage_and_reads_back()
    {
        var grid = new GridOptions
        {
            Stages = [StageNames.Encoder, StageNames.Decoder],
            Batching = new() { [StageNames.Encoder] = new BatchingOptions { MaxBatch = 3 } },
        };
        var value = StageDirectory.FormatMaxBatch(grid);
        Assert.Equal("encoder:3,decoder:8", value);

        var md = new Dictionary<string, string> { [StageDirectory.MaxBatchKey] = value };
        Assert.Equal(3, StageDirectory.AdvertisedMaxBatch(md, StageNames.Encoder));
        Assert.Equal(8, StageDirectory.AdvertisedMaxBatch(md, StageNames.Decoder));
        Assert.Equal(3, StageDirectory.AdvertisedMaxBatch(md, "Encoder"));
    }

    [Theory]
    [InlineData(null)]            // a silo that does not advertise (e.g. an older build)
    [InlineData("")]
    [InlineData("decoder:4")]     // advertises other stages only
    [InlineData("encoder:x")]     // unreadable
    [InlineData("encoder:0")]     // not a batch size
    public void A_silo_that_does_not_advertise_a_stage_counts_as_the_default_MaxBatch(string? value)
    {
        var md = new Dictionary<string, string>();
        if (value is not null) md[StageDirectory.MaxBatchKey] = value;
        Assert.Equal(new BatchingOptions().MaxBatch, StageDirectory.AdvertisedMaxBatch(md, StageNames.Encoder));
    }

    [Fact]
    public async Task BatchCapacity_sums_the_MaxBatch_of_the_silos_hosting_a_stage()
    {
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([[StageNames.Encoder, StageNames.Decoder], [StageNames.Encoder]])
        {
            SiloExtra = new Dictionary<int, IReadOnlyDictionary<string, string?>>
            {
                [0] = new Dictionary<string, string?> { ["Grid:Batching:encoder:MaxBatch"] = "3", ["Grid:Batching:decoder:MaxBatch"] = "2" },
                [1] = new Dictionary<string, string?> { ["Grid:Batching:encoder:MaxBatch"] = "5" },
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);

        // Every silo sees the same capacity (the directory reads the cluster's metadata, not its own configuration).
        for (int silo = 0; silo < 2; silo++)
        {
            var directory = grid.Silo(silo).ServiceProvider.GetRequiredService<StageDirectory>();
            Assert.Equal(3 + 5, directory.BatchCapacity(StageNames.Encoder, GridTestFolders.BundleId));
            Assert.Equal(2, directory.BatchCapacity(StageNames.Decoder, GridTestFolders.BundleId));
            Assert.Equal(0, directory.BatchCapacity(StageNames.Diffusion, GridTestFolders.BundleId));
            Assert.Equal(0, directory.BatchCapacity(StageNames.Encoder, "no-such-bundle"));
        }
    }
}
