using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// Per-job metrics (Meter "RAE.Grid.Jobs"), exported by the silo where the job's grain is active: items by state,
/// throughput (finished items per second over this activation) and ETA. The job grain publishes its status whenever its
/// counts change; a job that ended, or whose grain deactivated, drops out of the gauges. One meter per process, never
/// disposed (see <see cref="StageMetrics"/>); the gauges read the jobs of every live silo in the process.
/// </summary>
public sealed class JobMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "RAE.Grid.Jobs";

    private sealed record Sample(JobStatus Status, KeyValuePair<string, object?>[] Tags, DateTimeOffset Since, int FinishedSince, DateTimeOffset At);

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<JobMetrics, byte> Silos = new();
    private static readonly ObservableGauge<int> ItemsGauge = Meter.CreateObservableGauge("raegrid_job_items",
        () => Silos.Keys.SelectMany(m => m.Items()), "{item}", "Items of each running job by state: pending, in_flight, done, failed, cancelled");
    private static readonly ObservableGauge<double> RateGauge = Meter.CreateObservableGauge("raegrid_job_items_per_second",
        () => Silos.Keys.SelectMany(m => m._jobs.Values.Select(s => new Measurement<double>(Rate(s), s.Tags))), "{item}/s",
        "Items a running job finished per second since its grain activated");
    private static readonly ObservableGauge<double> EtaGauge = Meter.CreateObservableGauge("raegrid_job_eta_seconds",
        () => Silos.Keys.SelectMany(m => m.Eta()), "s", "Seconds until a running job finishes at its current rate (absent until it has finished an item)");

    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Sample> _jobs = new();

    public JobMetrics(TimeProvider clock)
    {
        _clock = clock;
        Silos[this] = 0;
    }

    /// <summary>Jobs the gauges show now.</summary>
    public IReadOnlyCollection<string> Jobs => _jobs.Keys.ToList();

    /// <summary>Publishes <paramref name="status"/> of a job running <paramref name="bundle"/>; a finished job is removed.</summary>
    public void Publish(JobStatus status, string bundle)
    {
        if (status.IsFinished || status.State == JobState.Unknown) { Forget(status.JobId); return; }
        var now = _clock.GetUtcNow();
        _jobs.AddOrUpdate(status.JobId,
            _ => new Sample(status, [new("job", status.JobId), new("bundle", bundle)], now, Finished(status), now),
            (_, old) => old with { Status = status, At = now });
    }

    /// <summary>Removes a job from the gauges (it ended, or its grain deactivated on this silo).</summary>
    public void Forget(string jobId) => _jobs.TryRemove(jobId, out _);

    private static int Finished(JobStatus s) => s.Done + s.Failed + s.Cancelled;

    private static double Rate(Sample s)
    {
        var seconds = (s.At - s.Since).TotalSeconds;
        return seconds > 0 ? (Finished(s.Status) - s.FinishedSince) / seconds : 0;
    }

    private IEnumerable<Measurement<int>> Items()
    {
        foreach (var s in _jobs.Values)
        {
            var st = s.Status;
            foreach (var (state, n) in new[] { ("pending", st.Pending), ("in_flight", st.InFlight), ("done", st.Done), ("failed", st.Failed), ("cancelled", st.Cancelled) })
                yield return new Measurement<int>(n, [.. s.Tags, new("state", state)]);
        }
    }

    private IEnumerable<Measurement<double>> Eta()
    {
        foreach (var s in _jobs.Values)
            if (Rate(s) is > 0 and var rate)
                yield return new Measurement<double>((s.Status.Total - Finished(s.Status)) / rate, s.Tags);
    }

    /// <summary>The silo is gone: its jobs leave the gauges.</summary>
    public void Dispose() => Silos.TryRemove(this, out _);
}
