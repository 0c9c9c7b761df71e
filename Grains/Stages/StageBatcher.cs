using System.Diagnostics;
using System.Threading.Channels;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;

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
/// that checks it (the ODE sampler, between steps) stops work nobody waits for. Given <see cref="StageInstruments"/>, it
/// reports queue depth, queue wait, compute time, batch sizes and failures; each request gets a span (see <see cref="GridTracing"/>).
/// </summary>
public sealed class StageBatcher<TIn, TOut> : IStageBatcher
{
    private sealed record Pending(TIn Item, object Group, string FairnessKey, int Priority, TaskCompletionSource<TOut> Result, CancellationToken Cancellation,
        long Enqueued, Activity? Span);

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
    private readonly StageInstruments? _instruments;
    private int _queued, _running;
    private long _batches, _items;
    private readonly ServiceWindow _window = new();

    /// <param name="name">Stage and bundle, for messages.</param>
    /// <param name="options">Batch size, wait and queue capacity.</param>
    /// <param name="run">Runs one batch; returns one result per item, in order.</param>
    /// <param name="group">Items batch together only when their group keys are equal (null: all compatible).</param>
    /// <param name="instruments">Where to report metrics (null: none).</param>
    public StageBatcher(string name, BatchingOptions options, Func<IReadOnlyList<TIn>, IReadOnlyList<Result<TOut>>> run,
        Func<TIn, object>? group = null, StageInstruments? instruments = null) : this(name, options, (items, _) => run(items), group, instruments) { }

    /// <param name="name">Stage and bundle, for messages.</param>
    /// <param name="options">Batch size, wait and queue capacity.</param>
    /// <param name="run">Runs one batch; returns one result per item, in order. Its token is cancelled when every item's
    /// request is: it may stop early by throwing an <see cref="OperationCanceledException"/>.</param>
    /// <param name="group">Items batch together only when their group keys are equal (null: all compatible).</param>
    /// <param name="instruments">Where to report metrics (null: none). The creator chooses their tags (stage, bundle, device…).</param>
    public StageBatcher(string name, BatchingOptions options, Func<IReadOnlyList<TIn>, CancellationToken, IReadOnlyList<Result<TOut>>> run,
        Func<TIn, object>? group = null, StageInstruments? instruments = null)
    {
        _name = name; _options = options; _run = run; _group = group ?? (_ => string.Empty);
        _instruments = instruments;
        _instruments?.Watch(() => ((IStageBatcher)this).Waiting, () => Running);
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
            _instruments?.Rejected("queue_full");
            throw new StageBusyException($"stage {_name} is busy: its queue holds {_options.QueueCapacity} requests (QueueCapacity); retry later");
        }
        var pending = new Pending(item, _group(item), fairnessKey ?? SharedFairnessKey, priority, new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously), cancellation,
            Stopwatch.GetTimestamp(), StartSpan(fairnessKey));
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            _instruments?.Rejected("shutting_down");
            EndSpan(pending.Span, "shutting down");
            throw new StageBusyException($"stage {_name} is shutting down; retry on another silo");
        }
        return pending.Result.Task;
    }

    /// <summary>
    /// The request's span, a child of the caller's current activity. It ends on the stage's worker thread, so the caller's
    /// flow keeps its own current activity (a later grain call from it must not nest under this span).
    /// </summary>
    private Activity? StartSpan(string? job)
    {
        if (!GridTracing.Source.HasListeners()) return null;
        var caller = Activity.Current;
        var span = GridTracing.Source.StartActivity($"stage {_name}", ActivityKind.Internal);
        Activity.Current = caller;
        if (span is null) return null;
        foreach (var (k, v) in _instruments?.Tags ?? [new("stage", _name)]) span.SetTag($"raegrid.{k}", v);
        if (job is not null) span.SetTag("raegrid.job", job);
        return span;
    }

    private static void EndSpan(Activity? span, string? error)
    {
        if (span is null) return;
        if (error is not null) span.SetStatus(ActivityStatusCode.Error, error);
        span.Stop();
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
            if (p.Cancellation.IsCancellationRequested)
            {
                _instruments?.Failed(FailureCauses.Cancelled);
                EndSpan(p.Span, "cancelled while queued");
                Interlocked.Decrement(ref _queued);
                p.Result.TrySetCanceled(p.Cancellation);
            }
            else live.Add(p);
        }
        if (live.Count == 0) return;
        var started = Stopwatch.GetTimestamp();
        foreach (var p in live)
        {
            var wait = Stopwatch.GetElapsedTime(p.Enqueued, started).TotalSeconds;
            _instruments?.Waited(wait);
            p.Span?.SetTag("raegrid.queue_wait_s", wait);
            p.Span?.SetTag("raegrid.batch_size", live.Count);
            p.Span?.AddEvent(new ActivityEvent("batch_start"));
        }
        // The batch's token: cancelled when the last of its requests is (a request that cannot be cancelled keeps it running).
        using var batchCancel = CancellationTokenSource.CreateLinkedTokenSource(_halt.Token);
        var waiting = live.Count;
        var registrations = live.Select(p => p.Cancellation.Register(() =>
        {
            if (Interlocked.Decrement(ref waiting) == 0) batchCancel.Cancel();
        })).ToList();
        var dequeued = false;
        try
        {
            Volatile.Write(ref _running, live.Count);
            IReadOnlyList<Result<TOut>>? results = null;
            Exception? failure = null;
            try
            {
                results = _run(live.Select(p => p.Item).ToList(), batchCancel.Token);
                if (results.Count != live.Count)
                    throw new InvalidOperationException($"stage {_name} returned {results.Count} results for {live.Count} items");
            }
            catch (Exception e) { results = null; failure = e; }
            // Counted before any caller gets its answer: whoever sees an item done also sees its batch in the statistics and metrics.
            var compute = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, live.Count);
            _instruments?.Ran(live.Count, compute);
            _window.Record(live.Count, TimeSpan.FromSeconds(compute));
            // Off the queue before any caller gets its answer, for the same reason: a caller that has its result must
            // not still find its request counted as waiting or running.
            Volatile.Write(ref _running, 0);
            Interlocked.Add(ref _queued, -live.Count);
            dequeued = true;
            for (int i = 0; i < live.Count; i++)
            {
                live[i].Span?.SetTag("raegrid.compute_s", compute);
                Answer(live[i], results?[i], failure, batchCancel.IsCancellationRequested);
            }
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
            if (!dequeued)
            {
                Volatile.Write(ref _running, 0);
                Interlocked.Add(ref _queued, -live.Count);
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="p"/> its result (or its batch's <paramref name="failure"/>), after counting a failure and
    /// ending its span: whoever sees the answer also sees it counted.
    /// </summary>
    private void Answer(Pending p, Result<TOut>? result, Exception? failure, bool batchCancelled)
    {
        switch (failure)
        {
            case OperationCanceledException when _halt.IsCancellationRequested:
                // Halted for a process that is exiting: its requests get no answer, so none is recorded as failed.
                EndSpan(p.Span, "halted");
                return;
            case OperationCanceledException when batchCancelled:
                _instruments?.Failed(FailureCauses.Cancelled);
                EndSpan(p.Span, "cancelled");
                p.Result.TrySetCanceled(p.Cancellation);
                return;
            case not null:
                _instruments?.Failed(FailureCauses.ModelError);
                EndSpan(p.Span, failure.Message);
                p.Result.TrySetException(failure);
                return;
        }
        if (result!.Value.Error is { } e)
        {
            _instruments?.Failed(FailureCauses.Of(e));
            EndSpan(p.Span, e.Message);
            p.Result.TrySetException(e);
            return;
        }
        EndSpan(p.Span, null);
        p.Result.TrySetResult(result.Value.Value!);
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
        _instruments?.Unwatch();
    }

    /// <summary>Stops accepting requests and waits until every queued one has run (graceful shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        await Task.Run(() => _worker.Join(timeout));
        _instruments?.Unwatch();
    }

    public async ValueTask DisposeAsync() => await DrainAsync(TimeSpan.FromSeconds(30));
}
