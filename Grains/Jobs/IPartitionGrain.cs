namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// One partition of a job (key <see cref="PartitionPlan.GrainKey"/>): moves its items through the stages with its
/// share of the job's window, persists only its own small state, writes its item records when done, and reports its
/// counts to the job (<see cref="IJobControlGrain"/>). Partitions are spread over the silos like any grain; the tensors
/// of their items never pass through them.
/// </summary>
[Alias("rae.IPartitionGrain")]
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts or resumes the partition with <paramref name="window"/> items in flight and returns at once (idempotent:
    /// the job calls it again periodically, which re-activates a partition whose silo died; a finished partition
    /// reports its final counts again).
    /// </summary>
    [Alias("Run")] Task Run(PartitionPlan plan, int window);

    /// <summary>Stops: items in flight settle, pending ones become cancelled, the records are written; returns the final counts.</summary>
    [Alias("Cancel")] Task<PartitionProgress> Cancel(PartitionPlan plan);

    /// <summary>
    /// The job's final audit of a finished partition: reads every output its records list as done and checks it is in the
    /// store with the recorded SHA-256 (and that its records file is there). Missing or changed outputs are redone: the
    /// partition re-opens, runs them, and reports again. A partition that is not finished (its stored state is behind
    /// what it reported) resumes and counts as re-opened.
    /// </summary>
    [Alias("Audit")] Task<PartitionAuditResult> Audit(PartitionPlan plan);

    /// <summary>Failed items <paramref name="offset"/>.. (at most <paramref name="count"/>), in index order.</summary>
    [Alias("Errors")] Task<Contracts.ItemError[]> Errors(int offset, int count);
}
