namespace RAE.Grid.Grains.Storage;

/// <summary>Names of the Orleans grain-storage providers the grid uses.</summary>
public static class GridStorage
{
    /// <summary>Job (pipeline) grain state and the job index: a local file store by default, Redis for clusters.</summary>
    public const string JobStore = "rae-jobs";
}
