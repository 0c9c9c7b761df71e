using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>A cluster shared by the tests of one xunit collection (they run one after another).</summary>
public abstract class GridClusterFixture : IAsyncLifetime
{
    private GridTestFolders? _folders;
    private GridTestCluster? _grid;

    protected abstract GridClusterSpec Spec { get; }

    public GridTestCluster Grid => _grid ?? throw new InvalidOperationException("the cluster is not started");

    public async Task InitializeAsync()
    {
        _folders = new GridTestFolders();
        _grid = await GridTestCluster.StartAsync(Spec, _folders);
    }

    public async Task DisposeAsync()
    {
        if (_grid is not null) await _grid.DisposeAsync();
        _folders?.Dispose();
    }
}

/// <summary>Two silos hosting different stages: silo 0 the encoder and diffusion, silo 1 the decoder.</summary>
public sealed class SplitStagesClusterFixture : GridClusterFixture
{
    protected override GridClusterSpec Spec { get; } = new([
        [StageNames.Encoder, StageNames.Diffusion],
        [StageNames.Decoder],
    ]);
}

/// <summary>Two silos that both host every stage.</summary>
public sealed class AllStagesClusterFixture : GridClusterFixture
{
    protected override GridClusterSpec Spec { get; } = new([StageNames.All, StageNames.All])
    {
        // Small batches and a short window per silo, so one job's items are spread rather than all fitting one batch.
        Extra = new Dictionary<string, string?>
        {
            ["Grid:Batching:encoder:MaxBatch"] = "4",
            ["Grid:Batching:decoder:MaxBatch"] = "4",
        },
    };
}

/// <summary>One silo hosting no stage: the store and the grains that read and write it (uploads, fetches).</summary>
public sealed class StoreOnlyClusterFixture : GridClusterFixture
{
    protected override GridClusterSpec Spec { get; } = new([[]]);
}

[CollectionDefinition(Name)]
public sealed class StoreOnlyCluster : ICollectionFixture<StoreOnlyClusterFixture>
{
    public const string Name = "grid cluster: one silo, store only";
}

[CollectionDefinition(Name)]
public sealed class SplitStagesCluster : ICollectionFixture<SplitStagesClusterFixture>
{
    public const string Name = "grid cluster: split stages";
}

[CollectionDefinition(Name)]
public sealed class AllStagesCluster : ICollectionFixture<AllStagesClusterFixture>
{
    public const string Name = "grid cluster: all stages on both silos";
}
