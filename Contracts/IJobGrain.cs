namespace RAE.Grid.Contracts;

/// <summary>
/// The pipeline grain, one per job (key = job id). It persists its plan and per-item state, moves items through the
/// stages with a bounded window, writes outputs under deterministic names plus a manifest and a contact sheet, and
/// resumes after a restart without redoing finished items.
/// </summary>
[Alias("rae.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the job (idempotent: starting a running job with the same request returns its status). A request that
    /// cannot run — a bad sampler or guidance name, a non-finite scale, a t outside [0, 1], no silo hosting a stage —
    /// is rejected here with an <see cref="ArgumentException"/> naming every bad field, before any item runs.
    /// </summary>
    [Alias("Start")] Task<JobStatus> Start(JobRequest request);

    /// <summary>Current status (activating the grain resumes an unfinished job).</summary>
    [Alias("GetStatus")] Task<JobStatus> GetStatus();

    /// <summary>Stops moving items; finished outputs stay.</summary>
    [Alias("Cancel")] Task<JobStatus> Cancel();
}
