namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>A clock that moves only when told: rules that depend on elapsed time are tested without waiting or timing luck.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks = TimeSpan.TicksPerDay;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <summary>Moves the clock on by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
