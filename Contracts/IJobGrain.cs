namespace RAE.Grid.Contracts;

/// <summary>
/// The job grain, one per job (key = job id): the job's control plane. It persists its plan, runs the job's partitions
/// (each persisting its own items' state and moving them through the stages with its share of a window sized to the
/// cluster), writes a manifest and a contact sheet, and resumes after a restart without redoing finished items.
/// </summary>
[Alias("rae.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    // Long timeouts on Start and Cancel: planning streams a large input list or store listing, and cancelling settles
    // every partition.

    /// <summary>
    /// Starts the job (idempotent: starting a running job with the same request returns its status). A request that
    /// cannot run — a bad sampler or guidance name, a non-finite scale, a t outside [0, 1], no silo hosting a stage —
    /// is rejected here with an <see cref="ArgumentException"/> naming every bad field, before any item runs.
    /// </summary>
    [Alias("Start"), ResponseTimeout("00:10:00")] Task<JobStatus> Start(JobRequest request);

    /// <summary>
    /// Current status (activating the grain resumes an unfinished job): counts, and the first failed items only; the
    /// rest come from <see cref="GetErrors"/>.
    /// </summary>
    [Alias("GetStatus")] Task<JobStatus> GetStatus();

    /// <summary>Failed items <paramref name="offset"/>.. in index order, at most <paramref name="count"/> (capped at 1,000 a page).</summary>
    [Alias("GetErrors")] Task<ItemError[]> GetErrors(int offset, int count);

    /// <summary>Stops moving items; finished outputs stay.</summary>
    [Alias("Cancel"), ResponseTimeout("00:10:00")] Task<JobStatus> Cancel();
}
