using System.Diagnostics.Metrics;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// The instruments of one stage batcher, with its tags (<c>stage</c>, <c>bundle</c>, and whatever else its creator names,
/// e.g. a device or replica). Handed to the batcher by whoever creates it; it reports its queue depth through
/// <see cref="Watch"/> while it lives.
/// </summary>
public sealed class StageInstruments
{
    private readonly StageMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _tags;
    private Func<int>? _waiting, _running;

    internal StageInstruments(StageMetrics metrics, KeyValuePair<string, object?>[] tags)
    {
        _metrics = metrics;
        _tags = tags;
    }

    /// <summary>The tags every measurement of this batcher carries.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Tags => _tags;

    /// <summary>Starts reporting the batcher's waiting and running request counts (queue depth gauges).</summary>
    public void Watch(Func<int> waiting, Func<int> running)
    {
        (_waiting, _running) = (waiting, running);
        _metrics.Track(this);
    }

    /// <summary>Stops reporting the gauges (the batcher drained or halted).</summary>
    public void Unwatch() => _metrics.Untrack(this);

    /// <summary>An item waited <paramref name="seconds"/> in the queue before its batch started.</summary>
    public void Waited(double seconds) => StageMetrics.QueueWait.Record(seconds, _tags);

    /// <summary>A batch of <paramref name="size"/> items computed for <paramref name="seconds"/>.</summary>
    public void Ran(int size, double seconds)
    {
        StageMetrics.BatchSize.Record(size, _tags);
        StageMetrics.Compute.Record(seconds, _tags);
        StageMetrics.Items.Add(size, _tags);
    }

    /// <summary>A request was turned away before it queued (<paramref name="reason"/>: queue_full, shutting_down).</summary>
    public void Rejected(string reason) => StageMetrics.Rejections.Add(1, With("reason", reason));

    /// <summary><paramref name="count"/> items got no output, for <paramref name="cause"/> (see <see cref="FailureCauses"/>).</summary>
    public void Failed(string cause, int count = 1) => StageMetrics.Failures.Add(count, With("cause", cause));

    internal Measurement<int> Waiting() => new(_waiting?.Invoke() ?? 0, _tags);
    internal Measurement<int> Running() => new(_running?.Invoke() ?? 0, _tags);

    private KeyValuePair<string, object?>[] With(string key, string value) => [.. _tags, new(key, value)];
}
