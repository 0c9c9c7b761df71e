namespace RAE.Grid.Grains.Configuration;

/// <summary>How jobs are split into partitions and how many items they keep in flight.</summary>
public sealed class PipelineOptions
{
    /// <summary>
    /// Cap on one job's window. The window itself fits the cluster: <see cref="BatchesInFlightPerHost"/> batches for every
    /// silo hosting the job's first stage (the sum of their MaxBatch), so one big job fills every host's batches.
    /// </summary>
    public int MaxInFlightItems { get; set; } = 1024;
    /// <summary>Batches kept in flight per hosting silo of the first stage: a running and a queued batch for each of the two stages an item passes.</summary>
    public int BatchesInFlightPerHost { get; set; } = 4;
    /// <summary>Items per partition: each partition is a grain of its own that persists only its own items' state.</summary>
    public int PartitionSize { get; set; } = 1000;
    /// <summary>Partitions of one job running at once; the job's window is shared between them.</summary>
    public int ActivePartitions { get; set; } = 4;
    /// <summary>Attempts per item before it is marked failed (retryable errors only: busy stage, silo gone, timeout).</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>A partition persists its state after this many item completions (and at the end); a restart redoes at most these.</summary>
    public int CheckpointEveryItems { get; set; } = 16;
    /// <summary>Largest number of items one job may have.</summary>
    public int MaxItemsPerJob { get; set; } = 10_000_000;
    /// <summary>Failed items a job's status carries (the rest come paged from <c>IJobGrain.GetErrors</c>).</summary>
    public int StatusErrors { get; set; } = 20;
    /// <summary>How often a job calls its running partitions (milliseconds): re-activates one whose silo died, updates windows.</summary>
    public int PartitionPingMs { get; set; } = 5000;

    /// <summary>How long a finished job stays in the job index (its outputs stay in the store); default 7 days.</summary>
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<string> Validate(string where)
    {
        if (JobRetention < TimeSpan.Zero) yield return $"{where}.JobRetention: must not be negative, got {JobRetention}";
        if (MaxInFlightItems < 1) yield return $"{where}.MaxInFlightItems: must be at least 1";
        if (BatchesInFlightPerHost < 1) yield return $"{where}.BatchesInFlightPerHost: must be at least 1";
        if (PartitionSize < 1 || PartitionSize > 100_000) yield return $"{where}.PartitionSize: must be between 1 and 100000, got {PartitionSize}";
        if (ActivePartitions < 1) yield return $"{where}.ActivePartitions: must be at least 1";
        if (MaxAttempts < 1 || MaxAttempts > 255) yield return $"{where}.MaxAttempts: must be between 1 and 255";
        if (CheckpointEveryItems < 1) yield return $"{where}.CheckpointEveryItems: must be at least 1";
        if (MaxItemsPerJob < 1) yield return $"{where}.MaxItemsPerJob: must be at least 1";
        if (StatusErrors < 0) yield return $"{where}.StatusErrors: must be at least 0";
        if (PartitionPingMs < 100) yield return $"{where}.PartitionPingMs: must be at least 100";
    }
}
