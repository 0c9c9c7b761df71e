using System.Threading.Channels;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Dynamic batching for one stage of one bundle on one silo. Requests queue in a bounded queue (full → an immediate,
/// retryable <see cref="StageBusyException"/>); one dedicated thread — off the Orleans scheduler, since a forward pass
/// blocks for milliseconds to seconds — forms each batch and runs it. Batches are fair between fairness keys (jobs):
/// waiting requests are kept per key, the first item of a batch comes from the next key in rotation, and filling the
/// batch cycles the keys too, so a job of a million items does not starve one of ten. A batch holds items of one group
/// only (e.g. same sampler settings); other groups' items keep their place. It closes at MaxBatch items or MaxWaitMs
/// after its first item was taken. Each item gets its own result or error, so one bad item does not fail its batch-mates.
/// A running batch is given a token that is cancelled once every one of its items' requests is cancelled, so a model
/// that checks it (the ODE sampler, between steps) stops work nobody waits for.
/// </summary>
public sealed class StageBatcher<TIn, TOut> : IStageBatcher
{
    private sealed record Pending(TIn Item, object Group, string FairnessKey, int Priority, TaskCompletionSource<TOut> Result, CancellationToken Cancellation);

    // The fairness key of requests that name none: they share one turn in the rotation.
    private const string SharedFairnessKey = "";

    private readonly string _name;
    private readonly BatchingOptions _options;
    private readonly Func<IReadOnlyList<TIn>, CancellationToken, IReadOnlyList<Result<TOut>>> _run;
    private readonly Func<TIn, object> _group;
    private readonly Channel<Pending> _queue;
    private readonly FairQueues<Pending> _waiting = new(); // taken from _queue; only the worker touches it
    private readonly Thread _worker;
    private readonly CancellationTokenSource _halt = new();
    private int _queued, _running;
    private long _batches, _items;
    private readonly ServiceWindow _window = new();

    /// <param name="name">Stage and bundle, for messages.</param>
    /// <param name="options">Batch size, wait and queue capacity.</param>
    /// <param name="run">Runs one batch; returns one result per item, in order.</param>
    /// <param name="group">Items batch together only when their group keys are equal (null: all compatible).</param>
    public StageBatcher(string name, BatchingOptions options, Func<IReadOnlyList<TIn>, IReadOnlyList<Result<TOut>>> run,
        Func<TIn, object>? group = null) : this(name, options, (items, _) => run(items), group) { }

    /// <param name="name">Stage and bundle, for messages.</param>
    /// <param name="options">Batch size, wait and queue capacity.</param>
    /// <param name="run">Runs one batch; returns one result per item, in order. Its token is cancelled when every item's
    /// request is: it may stop early by throwing an <see cref="OperationCanceledException"/>.</param>
    /// <param name="group">Items batch together only when their group keys are equal (null: all compatible).</param>
    public StageBatcher(string name, BatchingOptions options, Func<IReadOnlyList<TIn>, CancellationToken, IReadOnlyList<Result<TOut>>> run,
        Func<TIn, object>? group = null)
    {
        _name = name; _options = options; _run = run; _group = group ?? (_ => string.Empty);
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _worker = new Thread(Loop) { IsBackground = true, Name = $"stage {name}" };
        _worker.Start();
    }

    /// <inheritdoc/>
    public string Name => _name;
    /// <summary>Batches run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);
    /// <summary>Items run so far.</summary>
    public long Items => Interlocked.Read(ref _items);
    /// <summary>Requests waiting or running.</summary>
    public int Queued => Volatile.Read(ref _queued);
    /// <summary>Requests in the batch running now.</summary>
    public int Running => Volatile.Read(ref _running);
    /// <summary>The batches finished lately (throughput and service rate).</summary>
    public ServiceWindow Window => _window;

    /// <summary>Queues one item and completes with its result.</summary>
    /// <param name="item">The request.</param>
    /// <param name="cancellation">Cancels the request while it waits; a running batch stops once all its requests are cancelled.</param>
    /// <param name="fairnessKey">Whose request this is (e.g. the job id): batches are shared round robin between keys.
    /// Null: one key shared by every request that names none.</param>
    /// <param name="priority">The key's priority: waiting items of higher-priority keys are batched first.</param>
    public Task<TOut> EnqueueAsync(TIn item, CancellationToken cancellation = default, string? fairnessKey = null, int priority = 0)
    {
        if (Interlocked.Increment(ref _queued) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            throw new StageBusyException($"stage {_name} is busy: its queue holds {_options.QueueCapacity} requests (QueueCapacity); retry later");
        }
        var pending = new Pending(item, _group(item), fairnessKey ?? SharedFairnessKey, priority, new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously), cancellation);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw new StageBusyException($"stage {_name} is shutting down; retry on another silo");
        }
        return pending.Result.Task;
    }

    private void Loop()
    {
        var reader = _queue.Reader;
        while (!_halt.IsCancellationRequested)
        {
            TakeArrivals(reader);
            if (!_waiting.TryTake(_ => true, out var first))
            {
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return; // drained: nothing waits, nothing comes
                continue;
            }
            var batch = new List<Pending> { first };
            var deadline = DateTime.UtcNow.AddMilliseconds(_options.MaxWaitMs);
            while (batch.Count < _options.MaxBatch)
            {
                // Round robin over the keys from the one after the first item's; other groups' items stay where they are.
                if (_waiting.TryTake(p => Equals(p.Group, first.Group), out var next)) { batch.Add(next); continue; }
                if (TakeArrivals(reader) > 0) continue;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) break;
                using var cts = new CancellationTokenSource(left);
                try { if (!reader.WaitToReadAsync(cts.Token).AsTask().GetAwaiter().GetResult()) break; }
                catch (OperationCanceledException) { break; }
            }
            Run(batch);
        }
    }

    /// <summary>Moves every request that has arrived into its key's queue; returns how many.</summary>
    private int TakeArrivals(ChannelReader<Pending> reader)
    {
        int n = 0;
        for (; reader.TryRead(out var p); n++) _waiting.Add(p.FairnessKey, p, p.Priority);
        return n;
    }

    private void Run(List<Pending> batch)
    {
        var live = new List<Pending>();
        foreach (var p in batch)
        {
            if (p.Cancellation.IsCancellationRequested) { p.Result.TrySetCanceled(p.Cancellation); Interlocked.Decrement(ref _queued); }
            else live.Add(p);
        }
        if (live.Count == 0) return;
        // The batch's token: cancelled when the last of its requests is (a request that cannot be cancelled keeps it running).
        using var batchCancel = CancellationTokenSource.CreateLinkedTokenSource(_halt.Token);
        var waiting = live.Count;
        var registrations = live.Select(p => p.Cancellation.Register(() =>
        {
            if (Interlocked.Decrement(ref waiting) == 0) batchCancel.Cancel();
        })).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            Volatile.Write(ref _running, live.Count);
            var results = _run(live.Select(p => p.Item).ToList(), batchCancel.Token);
            if (results.Count != live.Count)
                throw new InvalidOperationException($"stage {_name} returned {results.Count} results for {live.Count} items");
            for (int i = 0; i < live.Count; i++)
            {
                if (results[i].Error is { } e) live[i].Result.TrySetException(e);
                else live[i].Result.TrySetResult(results[i].Value!);
            }
        }
        catch (OperationCanceledException) when (_halt.IsCancellationRequested)
        {
            // Halted for a process that is exiting: its requests get no answer, so none is recorded as failed.
        }
        catch (OperationCanceledException) when (batchCancel.IsCancellationRequested)
        {
            foreach (var p in live) p.Result.TrySetCanceled(p.Cancellation);
        }
        catch (Exception e)
        {
            foreach (var p in live) p.Result.TrySetException(e);
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
            Volatile.Write(ref _running, 0);
            Interlocked.Add(ref _queued, -live.Count);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, live.Count);
            _window.Record(live.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// For a process about to exit: stops accepting requests, stops the running batch at its next cancellation check
    /// and starts no other, and waits up to <paramref name="timeout"/> for the worker to leave the model. Requests still
    /// queued or running get no answer (their work resumes from its callers' checkpoints), so none is failed by the exit.
    /// </summary>
    public async Task HaltAsync(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        _halt.Cancel();
        await Task.Run(() => _worker.Join(timeout));
    }

    /// <summary>Stops accepting requests and waits until every queued one has run (graceful shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        await Task.Run(() => _worker.Join(timeout));
    }

    public async ValueTask DisposeAsync() => await DrainAsync(TimeSpan.FromSeconds(30));
}
