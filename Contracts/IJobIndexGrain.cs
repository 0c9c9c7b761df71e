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

    /// <summary>Adds a job submitted by client <paramref name="owner"/> (null: none); silo-internal, like <see cref="MarkFinished"/> and <see cref="Unfinished"/>.</summary>
    [Alias("Add")] Task Add(string jobId, string? owner = null);
    [Alias("MarkFinished")] Task MarkFinished(string jobId);

    /// <summary>
    /// Job ids in the order they were added, from <paramref name="offset"/>, at most <paramref name="count"/> (capped at
    /// <see cref="MaxPage"/>): for a client that is not an admin, only its own jobs.
    /// </summary>
    [Alias("List")] Task<string[]> List(int offset = 0, int count = MaxPage);

    /// <summary>How many jobs the index holds (for a client that is not an admin, how many of them are its own).</summary>
    [Alias("Count")] Task<int> Count();

    [Alias("Unfinished")] Task<string[]> Unfinished();
}
