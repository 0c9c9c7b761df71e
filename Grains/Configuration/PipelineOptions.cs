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
    /// <summary>
    /// How long an item keeps retrying transient failures (busy stage, silo gone, store or Redis outage, timeout) before it
    /// is marked failed, counted from its first attempt in the current activation of its partition: a crash starts the
    /// clock again, so restarts never use up an item's budget. Items failed this way are retried when the partition resumes.
    /// </summary>
    public TimeSpan ItemRetryDeadline { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Longest wait between two attempts of an item (the backoff doubles from 100 ms up to this).</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Jobs running at once in the cluster; further jobs wait (state Queued) and start, by priority then age, as others finish.</summary>
    public int MaxConcurrentJobs { get; set; } = 256;
    /// <summary>
    /// Times a partition redoes outputs that its final audit found missing or changed in the store before it gives up on
    /// them (marks them failed): a store that keeps losing acknowledged writes must not keep a job running forever.
    /// </summary>
    public int MaxAuditRounds { get; set; } = 3;
    /// <summary>A partition persists its state after this many item completions (and at the end); a restart redoes at most these.</summary>
    public int CheckpointEveryItems { get; set; } = 16;
    /// <summary>Largest number of items one job may have.</summary>
    public int MaxItemsPerJob { get; set; } = 10_000_000;
    /// <summary>Failed items a job's status carries (the rest come paged from <c>IJobGrain.GetErrors</c>).</summary>
    public int StatusErrors { get; set; } = 20;
    /// <summary>How often a job calls its running partitions (milliseconds): re-activates one whose silo died, updates windows.</summary>
    public int PartitionPingMs { get; set; } = 5000;

    /// <summary>How long a finished job stays in the job index (its outputs stay in the store); default 7 days.</summary>
    /// <summary>
    /// Bytes of best-of-N candidate latents a silo's diffusion stage holds while their partitions choose the winners
    /// (1 GiB). Beyond it the oldest are dropped and a winner among them is sampled again from its seed.
    /// </summary>
    public long CandidateCacheBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Bytes of prompt conditions (the LLM's per-token condition for the diffusion head) a silo's text stage keeps, so a
    /// prompt's samples and best-of-N candidates run the LLM once (256 MiB; least recently used out first).
    /// </summary>
    public long ConditionCacheBytes { get; set; } = 256L << 20;

    public TimeSpan JobRetention { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<string> Validate(string where)
    {
        if (JobRetention < TimeSpan.Zero) yield return $"{where}.JobRetention: must not be negative, got {JobRetention}";
        if (MaxInFlightItems < 1) yield return $"{where}.MaxInFlightItems: must be at least 1";
        if (BatchesInFlightPerHost < 1) yield return $"{where}.BatchesInFlightPerHost: must be at least 1";
        if (PartitionSize < 1 || PartitionSize > 100_000) yield return $"{where}.PartitionSize: must be between 1 and 100000, got {PartitionSize}";
        if (ActivePartitions < 1) yield return $"{where}.ActivePartitions: must be at least 1";
        if (ItemRetryDeadline < TimeSpan.FromSeconds(1) || ItemRetryDeadline > TimeSpan.FromDays(7))
            yield return $"{where}.ItemRetryDeadline: must be between 1 second and 7 days, got {ItemRetryDeadline}";
        if (MaxRetryBackoff < TimeSpan.FromMilliseconds(100) || MaxRetryBackoff > TimeSpan.FromMinutes(10))
            yield return $"{where}.MaxRetryBackoff: must be between 100 ms and 10 minutes, got {MaxRetryBackoff}";
        if (MaxConcurrentJobs < 1 || MaxConcurrentJobs > 100_000) yield return $"{where}.MaxConcurrentJobs: must be between 1 and 100000, got {MaxConcurrentJobs}";
        if (MaxAuditRounds < 1 || MaxAuditRounds > 100) yield return $"{where}.MaxAuditRounds: must be between 1 and 100, got {MaxAuditRounds}";
        if (CheckpointEveryItems < 1) yield return $"{where}.CheckpointEveryItems: must be at least 1";
        if (MaxItemsPerJob < 1) yield return $"{where}.MaxItemsPerJob: must be at least 1";
        if (StatusErrors < 0) yield return $"{where}.StatusErrors: must be at least 0";
        if (CandidateCacheBytes < 0) yield return $"{where}.CandidateCacheBytes: must not be negative, got {CandidateCacheBytes}";
        if (ConditionCacheBytes < 0) yield return $"{where}.ConditionCacheBytes: must not be negative, got {ConditionCacheBytes}";
        if (PartitionPingMs < 100) yield return $"{where}.PartitionPingMs: must be at least 100";
    }
}
