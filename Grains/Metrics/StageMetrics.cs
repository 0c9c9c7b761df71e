using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// The silo's stage metrics (Meter "RAE.Grid.Stages"), per stage batcher, Triton-style: queue depth and running batch
/// size (gauges over the live batchers), queue wait and compute time, batch size, items run, rejections (queue full)
/// and failures by cause. Each batcher gets its tagged <see cref="StageInstruments"/> from <see cref="For"/>.
/// </summary>
public sealed class StageMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "RAE.Grid.Stages";

    /// <summary>Histogram buckets for durations in seconds: 1 ms to 5 min.</summary>
    public static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<StageInstruments, byte> _live = new();

    public StageMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        QueueWait = _meter.CreateHistogram("raegrid_stage_queue_wait_seconds", "s",
            "Time an item waited in its stage's queue until its batch started", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        Compute = _meter.CreateHistogram("raegrid_stage_compute_seconds", "s",
            "Time one batch's forward pass took", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        BatchSize = _meter.CreateHistogram("raegrid_stage_batch_size", "{item}",
            "Items per batch run", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        Items = _meter.CreateCounter<long>("raegrid_stage_items_total", "{item}", "Items run through the stage (its items/s is the rate of this)");
        Rejections = _meter.CreateCounter<long>("raegrid_stage_rejections_total", "{request}",
            "Requests turned away before they queued (reason: queue_full = StageBusyException at QueueCapacity, shutting_down)");
        Failures = _meter.CreateCounter<long>("raegrid_stage_failures_total", "{item}",
            "Items the stage produced no output for, by cause: rejected, compute_deadline, cancelled, model_error");
        _meter.CreateObservableGauge("raegrid_stage_queue_depth", () => _live.Keys.Select(i => i.Waiting()), "{request}",
            "Requests waiting in the stage's queue (not yet in a batch)");
        _meter.CreateObservableGauge("raegrid_stage_running", () => _live.Keys.Select(i => i.Running()), "{item}",
            "Items in the batch the stage is running now");
    }

    internal Histogram<double> QueueWait { get; }
    internal Histogram<double> Compute { get; }
    internal Histogram<int> BatchSize { get; }
    internal Counter<long> Items { get; }
    internal Counter<long> Rejections { get; }
    internal Counter<long> Failures { get; }

    /// <summary>Instruments for the batcher of <paramref name="stage"/> and <paramref name="bundle"/>, tagged also with <paramref name="extra"/>.</summary>
    public StageInstruments For(string stage, string bundle, params KeyValuePair<string, object?>[] extra) =>
        new(this, [new("stage", stage), new("bundle", bundle), .. extra]);

    internal void Track(StageInstruments instruments) => _live[instruments] = 0;
    internal void Untrack(StageInstruments instruments) => _live.TryRemove(instruments, out _);

    public void Dispose() => _meter.Dispose();
}
