namespace RAE.Grid.Grains.Jobs;

/// <summary>The persisted list of jobs (the set of all ids, and those not finished yet).</summary>
[GenerateSerializer, Alias("rae.JobIndexState"), MessagePack.MessagePackObject]
public sealed class JobIndexState
{
    [Id(0), MessagePack.Key(0)] public List<string> All { get; set; } = new();
    [Id(1), MessagePack.Key(1)] public HashSet<string> Unfinished { get; set; } = new();
}
