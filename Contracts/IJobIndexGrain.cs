namespace RAE.Grid.Contracts;

/// <summary>
/// The jobs the grid knows, so clients can list them and silos can resume unfinished ones. Bounded: a finished job
/// leaves the index once it is older than the retention (<c>Grid:Pipeline:JobRetention</c>); its outputs stay in the store.
/// </summary>
[Alias("rae.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Most job ids one <see cref="List"/> call returns.</summary>
    public const int MaxPage = 1000;

    [Alias("Add")] Task Add(string jobId);
    [Alias("MarkFinished")] Task MarkFinished(string jobId);

    /// <summary>Job ids in the order they were added, from <paramref name="offset"/>, at most <paramref name="count"/> (capped at <see cref="MaxPage"/>).</summary>
    [Alias("List")] Task<string[]> List(int offset = 0, int count = MaxPage);

    /// <summary>How many jobs the index holds.</summary>
    [Alias("Count")] Task<int> Count();

    [Alias("Unfinished")] Task<string[]> Unfinished();
}
