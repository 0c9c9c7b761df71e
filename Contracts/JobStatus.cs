namespace RAE.Grid.Contracts;

/// <summary>A job's progress: counts per item state (a best-of-N job counts its kept outputs, <see cref="BestOf"/> its candidates), per-item errors, and where its outputs are.</summary>
[GenerateSerializer, Immutable, Alias("rae.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobKind Kind,
    [property: Id(2)] JobState State,
    [property: Id(3)] int Total,
    [property: Id(4)] int Pending,
    [property: Id(5)] int InFlight,
    [property: Id(6)] int Done,
    [property: Id(7)] int Failed,
    [property: Id(8)] int Cancelled,
    [property: Id(9)] ItemError[] Errors,
    [property: Id(10)] string OutputPrefix,
    [property: Id(11)] string? Manifest,
    [property: Id(12)] string? ContactSheet,
    [property: Id(13)] bool RandomWeights,
    [property: Id(14)] DateTimeOffset Created,
    [property: Id(15)] DateTimeOffset? Finished,
    [property: Id(16)] string? Message,
    [property: Id(17)] BestOfSummary? BestOf = null)
{
    /// <summary>Fraction of items finished (done, failed or cancelled).</summary>
    public double Progress => Total == 0 ? 1.0 : (double)(Done + Failed + Cancelled) / Total;

    /// <summary>Whether the job will change no more.</summary>
    public bool IsFinished => State is JobState.Completed or JobState.CompletedWithErrors or JobState.Failed or JobState.Cancelled;

    /// <summary>The status of an id no job was started under.</summary>
    public static JobStatus Unknown(string jobId) =>
        new(jobId, JobKind.Reconstruct, JobState.Unknown, 0, 0, 0, 0, 0, 0, [], "", null, null, false, DateTimeOffset.MinValue, null,
            $"no job '{jobId}'");
}
