using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// One silo hosting every stage with the default request limits, except a short per-item compute deadline
/// (<see cref="ItemComputeSeconds"/>) so a runaway diffusion batch is stopped within the test's time.
/// </summary>
public sealed class LimitsClusterFixture : GridClusterFixture
{
    /// <summary>Grid:Limits:ItemComputeSeconds of this cluster: far above a 1-step solve of the tiny bundle, far below a 1000-step Heun one.</summary>
    public const double ItemComputeSeconds = 1;

    protected override GridClusterSpec Spec { get; } = new([StageNames.All])
    {
        Extra = new Dictionary<string, string?>
        {
            ["Grid:Limits:ItemComputeSeconds"] = ItemComputeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}

[CollectionDefinition(Name)]
public sealed class LimitsCluster : ICollectionFixture<LimitsClusterFixture>
{
    public const string Name = "grid cluster: one silo, default request limits, 1 s compute deadline";
}
