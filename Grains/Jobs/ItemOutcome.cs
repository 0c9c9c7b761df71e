namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// How an item's work ended (<see cref="ItemRetries"/>): <see cref="Error"/> null on success, else the error that failed
/// it and whether it was <see cref="Transient"/> (an outage that outlasted the retry deadline, tried again on resume).
/// </summary>
public readonly record struct ItemOutcome(string? Error, bool Transient)
{
    /// <summary>The work succeeded.</summary>
    public static ItemOutcome Success => new(null, false);
}
