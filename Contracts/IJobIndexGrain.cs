namespace RAE.Grid.Contracts;

/// <summary>The list of jobs the grid knows, so clients can list them and silos can resume unfinished ones.</summary>
[Alias("rae.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string jobId);
    [Alias("MarkFinished")] Task MarkFinished(string jobId);
    [Alias("List")] Task<string[]> List();
    [Alias("Unfinished")] Task<string[]> Unfinished();
}
