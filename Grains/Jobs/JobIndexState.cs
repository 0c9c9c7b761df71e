namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The persisted list of jobs: every id in the order added, those not finished yet, when the others finished, and the
/// admission of unfinished ones (running, or waiting for a slot).
/// </summary>
[GenerateSerializer, Alias("rae.JobIndexState"), MessagePack.MessagePackObject]
public sealed class JobIndexState
{
    [Id(0), MessagePack.Key(0)] public List<string> All { get; set; } = new();
    [Id(1), MessagePack.Key(1)] public HashSet<string> Unfinished { get; set; } = new();
    /// <summary>Finish time of finished jobs, for expiry after the retention.</summary>
    [Id(2), MessagePack.Key(2)] public Dictionary<string, DateTimeOffset> FinishedAt { get; set; } = new();
    /// <summary>Jobs admitted to run (at most <c>MaxConcurrentJobs</c>).</summary>
    [Id(3), MessagePack.Key(3)] public HashSet<string> Admitted { get; set; } = new();
    /// <summary>Jobs waiting for a slot, in arrival order, with their priorities.</summary>
    [Id(4), MessagePack.Key(4)] public List<string> Waiting { get; set; } = new();
    [Id(5), MessagePack.Key(5)] public Dictionary<string, int> WaitingPriority { get; set; } = new();
    /// <summary>The client that submitted each job that has one, so a client lists only its own jobs.</summary>
    [Id(6), MessagePack.Key(6)] public Dictionary<string, string> Owners { get; set; } = new();
}
