using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Configuration;

/// <summary>
/// Dynamic batching of one stage: a request waits at most <see cref="MaxWaitMs"/> for others to share its forward pass,
/// and a batch holds at most <see cref="MaxBatch"/> items. <see cref="QueueCapacity"/> bounds the queue: a request that
/// finds it full is rejected at once with a retryable <see cref="StageBusyException"/>.
/// </summary>
public sealed class BatchingOptions
{
    public int MaxBatch { get; set; } = 8;
    public int MaxWaitMs { get; set; } = 10;
    public int QueueCapacity { get; set; } = 256;

    public IEnumerable<string> Validate(string where)
    {
        if (MaxBatch < 1) yield return $"{where}.MaxBatch: must be at least 1, got {MaxBatch}";
        if (MaxWaitMs < 0) yield return $"{where}.MaxWaitMs: must be >= 0, got {MaxWaitMs}";
        if (QueueCapacity < 1) yield return $"{where}.QueueCapacity: must be at least 1, got {QueueCapacity}";
    }
}
