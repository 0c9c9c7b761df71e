namespace RAE.Grid.Grains.Jobs;

/// <summary>The persisted list of jobs: every id in the order added, those not finished yet, and when the others finished.</summary>
[GenerateSerializer, Alias("rae.JobIndexState"), MessagePack.MessagePackObject]
public sealed class JobIndexState
{
    [Id(0), MessagePack.Key(0)] public List<string> All { get; set; } = new();
    [Id(1), MessagePack.Key(1)] public HashSet<string> Unfinished { get; set; } = new();
    /// <summary>Finish time of finished jobs, for expiry after the retention.</summary>
    [Id(2), MessagePack.Key(2)] public Dictionary<string, DateTimeOffset> FinishedAt { get; set; } = new();
    /// <summary>The client that submitted each job that has one, so a client lists only its own jobs.</summary>
    [Id(3), MessagePack.Key(3)] public Dictionary<string, string> Owners { get; set; } = new();
}
