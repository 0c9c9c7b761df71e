namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What the silo's <see cref="StageBatchers"/> needs of a stage's batcher whatever its item types: statistics and a
/// graceful drain. Requests go through the typed <see cref="StageBatcher{TIn,TOut}.EnqueueAsync"/>.
/// </summary>
public interface IStageBatcher : IAsyncDisposable
{
    /// <summary>Stage and bundle, for messages.</summary>
    string Name { get; }
    /// <summary>Batches run so far.</summary>
    long Batches { get; }
    /// <summary>Items run so far.</summary>
    long Items { get; }
    /// <summary>Requests waiting or running.</summary>
    int Queued { get; }
    /// <summary>Requests in the batch running now.</summary>
    int Running { get; }
    /// <summary>Requests waiting for a batch (queued, not running): the stage's queue depth, as its metric and report give it.</summary>
    int Waiting => Math.Max(0, Queued - Running);
    /// <summary>The batches finished lately (throughput and service rate).</summary>
    ServiceWindow Window { get; }
    /// <summary>Stops accepting requests and waits until every queued one has run (graceful shutdown).</summary>
    Task DrainAsync(TimeSpan timeout);
    /// <summary>Stops at once for a process about to exit: the running batch stops at its next check, nothing queued runs or is answered.</summary>
    Task HaltAsync(TimeSpan timeout);
}
