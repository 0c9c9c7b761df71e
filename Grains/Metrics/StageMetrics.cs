using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// The silo's stage metrics (Meter "RAE.Grid.Stages"), per stage batcher, Triton-style: queue depth and running batch
/// size (gauges over the live batchers), queue wait and compute time, batch size, items run, rejections (queue full)
/// and failures by cause. Each batcher gets its tagged <see cref="StageInstruments"/> from <see cref="For"/>.
/// The meter and its instruments are one per process, never disposed: an exporter keys metric streams by meter and
/// instrument name, so per-silo meters of silos sharing a process (test clusters) would be one stream that the first
/// silo to stop ends for all. Gauges read the batchers of every live silo in the process; a stopped silo's leave.
/// </summary>
public sealed class StageMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "RAE.Grid.Stages";

    /// <summary>Histogram buckets for durations in seconds: 1 ms to 5 min.</summary>
    public static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private static readonly Meter Meter = new(MeterName);
    // Batchers reporting gauges now, of every silo in the process → the silo's metrics that created them.
    private static readonly ConcurrentDictionary<StageInstruments, StageMetrics> Live = new();

    internal static readonly Histogram<double> QueueWait = Meter.CreateHistogram("raegrid_stage_queue_wait_seconds", "s",
        "Time an item waited in its stage's queue until its batch started", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<double> Compute = Meter.CreateHistogram("raegrid_stage_compute_seconds", "s",
        "Time one batch's forward pass took", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<int> BatchSize = Meter.CreateHistogram("raegrid_stage_batch_size", "{item}",
        "Items per batch run", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    internal static readonly Counter<long> Items = Meter.CreateCounter<long>("raegrid_stage_items_total", "{item}",
        "Items run through the stage (its items/s is the rate of this)");
    internal static readonly Counter<long> Rejections = Meter.CreateCounter<long>("raegrid_stage_rejections_total", "{request}",
        "Requests turned away before they queued (reason: queue_full = StageBusyException at QueueCapacity, shutting_down)");
    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>("raegrid_stage_failures_total", "{item}",
        "Items the stage produced no output for, by cause: rejected, compute_deadline, cancelled, model_error");
    private static readonly ObservableGauge<int> QueueDepth = Meter.CreateObservableGauge("raegrid_stage_queue_depth",
        () => Live.Keys.Select(i => i.Waiting()), "{request}", "Requests waiting in the stage's queue (not yet in a batch)");
    private static readonly ObservableGauge<int> Running = Meter.CreateObservableGauge("raegrid_stage_running",
        () => Live.Keys.Select(i => i.Running()), "{item}", "Items in the batch the stage is running now");

    /// <summary>Instruments for the batcher of <paramref name="stage"/> and <paramref name="bundle"/>, tagged also with <paramref name="extra"/>.</summary>
    public StageInstruments For(string stage, string bundle, params KeyValuePair<string, object?>[] extra) =>
        new(this, [new("stage", stage), new("bundle", bundle), .. extra]);

    internal void Track(StageInstruments instruments) => Live[instruments] = this;
    internal void Untrack(StageInstruments instruments) => Live.TryRemove(instruments, out _);

    /// <summary>The silo is gone (also after a crash that drained nothing): its batchers leave the gauges.</summary>
    public void Dispose()
    {
        foreach (var (instruments, owner) in Live)
            if (owner == this) Live.TryRemove(instruments, out _);
    }
}
