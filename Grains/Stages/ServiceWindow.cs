namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The recent work of one stage replica: the batches it finished within the last <see cref="Length"/>, so the cluster
/// report and the scaling signal see the load of now, not an average since start-up. Thread-safe: the batcher's worker
/// records, reports read.
/// </summary>
public sealed class ServiceWindow(TimeProvider clock)
{
    /// <summary>How far back the window looks.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(10);

    private readonly Queue<(long At, int Items, TimeSpan Busy)> _batches = new();
    private readonly long _started = clock.GetTimestamp();

    /// <summary>A window on the system clock.</summary>
    public ServiceWindow() : this(TimeProvider.System) { }

    /// <summary>One batch of <paramref name="items"/> finished after computing for <paramref name="busy"/>.</summary>
    public void Record(int items, TimeSpan busy)
    {
        lock (_batches)
        {
            _batches.Enqueue((clock.GetTimestamp(), items, busy));
            Trim();
        }
    }

    /// <summary>
    /// Items finished per second over the window (over the time since start-up while that is shorter, at least one
    /// second, so a first batch does not read as a burst). Throughput: it follows the arrivals when the replica is idle at times.
    /// </summary>
    public double ItemsPerSecond
    {
        get
        {
            lock (_batches)
            {
                Trim();
                var span = Math.Max(1, Math.Min(Length.TotalSeconds, clock.GetElapsedTime(_started).TotalSeconds));
                return _batches.Sum(b => b.Items) / span;
            }
        }
    }

    /// <summary>
    /// Items per second of compute in the window: what the replica does while it is busy, its service rate (the scaling
    /// signal's capacity per replica). Null when it finished no batch in the window.
    /// </summary>
    public double? ServiceRate
    {
        get
        {
            lock (_batches)
            {
                Trim();
                var busy = _batches.Sum(b => b.Busy.TotalSeconds);
                // A stand-in of 0 ms computes in no measurable time: count a tick so the rate stays finite.
                return _batches.Count == 0 ? null : _batches.Sum(b => b.Items) / Math.Max(busy, 1e-6);
            }
        }
    }

    private void Trim()
    {
        while (_batches.Count > 0 && clock.GetElapsedTime(_batches.Peek().At) > Length) _batches.Dequeue();
    }
}
