namespace RAE.Grid.Contracts;

/// <summary>
/// The pipeline grain, one per job (key = job id). It persists its plan and per-item state, moves items through the
/// stages with a bounded window, writes outputs under deterministic names plus a manifest and a contact sheet, and
/// resumes after a restart without redoing finished items.
/// </summary>
[Alias("rae.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job (idempotent: starting a running job with the same request returns its status).</summary>
    [Alias("Start")] Task<JobStatus> Start(JobRequest request);

    /// <summary>Current status (activating the grain resumes an unfinished job).</summary>
    [Alias("GetStatus")] Task<JobStatus> GetStatus();

    /// <summary>Stops moving items; finished outputs stay.</summary>
    [Alias("Cancel")] Task<JobStatus> Cancel();
}

/// <summary>The list of jobs the grid knows, so clients can list them and silos can resume unfinished ones.</summary>
[Alias("rae.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string jobId);
    [Alias("MarkFinished")] Task MarkFinished(string jobId);
    [Alias("List")] Task<string[]> List();
    [Alias("Unfinished")] Task<string[]> Unfinished();
}

/// <summary>
/// Reads a job's outputs from the grid's store, so a client needs no store credentials. Large files come in chunks of
/// at most <see cref="ChunkBytes"/> to stay under the message size limit.
/// </summary>
[Alias("rae.IOutputReaderGrain")]
public interface IOutputReaderGrain : IGrainWithIntegerKey
{
    /// <summary>Largest chunk returned by <see cref="ReadChunk"/>.</summary>
    public const int ChunkBytes = 16 * 1024 * 1024;

    [Alias("List")] Task<string[]> List(string prefix);

    /// <summary>Bytes [offset, offset+count) of <paramref name="name"/> (fewer at the end; null if it does not exist).</summary>
    [Alias("ReadChunk")] Task<byte[]?> ReadChunk(string name, long offset, int count);

    /// <summary>Size of <paramref name="name"/> in bytes, or null if it does not exist.</summary>
    [Alias("Length")] Task<long?> Length(string name);
}
