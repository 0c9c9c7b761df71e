namespace RAE.Grid.Contracts;

/// <summary>Where a job stands.</summary>
[GenerateSerializer, Alias("rae.JobState")]
public enum JobState
{
    /// <summary>No job with this id was started.</summary>
    Unknown,
    /// <summary>Accepted; items are being moved through the stages.</summary>
    Running,
    /// <summary>Every item finished and none failed.</summary>
    Completed,
    /// <summary>Every item finished; some failed (see <see cref="JobStatus.Errors"/>).</summary>
    CompletedWithErrors,
    /// <summary>The job could not run at all (e.g. an unknown bundle); see <see cref="JobStatus.Message"/>.</summary>
    Failed,
    /// <summary>Cancelled by a client; finished items stay stored.</summary>
    Cancelled,
    /// <summary>Accepted and planned, waiting for a slot: the grid already runs <c>Grid:Pipeline:MaxConcurrentJobs</c> jobs.</summary>
    Queued,
}
