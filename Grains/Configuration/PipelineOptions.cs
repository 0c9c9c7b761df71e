namespace RAE.Grid.Grains.Configuration;

/// <summary>How a pipeline (job) grain moves items.</summary>
public sealed class PipelineOptions
{
    /// <summary>Items of one job in flight at once (the bounded window).</summary>
    public int MaxInFlightItems { get; set; } = 32;
    /// <summary>Attempts per item before it is marked failed (retryable errors only: busy stage, silo gone, timeout).</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>Job state is persisted after this many item completions (and at the end); a restart redoes at most these.</summary>
    public int CheckpointEveryItems { get; set; } = 16;
    /// <summary>Largest number of items one job may have.</summary>
    public int MaxItemsPerJob { get; set; } = 100_000;

    public IEnumerable<string> Validate(string where)
    {
        if (MaxInFlightItems < 1) yield return $"{where}.MaxInFlightItems: must be at least 1";
        if (MaxAttempts < 1) yield return $"{where}.MaxAttempts: must be at least 1";
        if (CheckpointEveryItems < 1) yield return $"{where}.CheckpointEveryItems: must be at least 1";
        if (MaxItemsPerJob < 1) yield return $"{where}.MaxItemsPerJob: must be at least 1";
    }
}
