using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A job's counts: the totals of finished partitions (in the persisted state) plus the latest report of each running
/// one (in memory only: partitions report again after a restart), so a status is O(1) in the job's size. Failed items
/// show in index order, at most <see cref="PipelineOptions.StatusErrors"/> in a status; the rest are paged from the
/// partitions that hold them.
/// </summary>
public sealed class JobTally(JobGrainState s, PipelineOptions p)
{
    /// <summary>Most failed items one page of errors returns.</summary>
    public const int MaxErrorsPage = 1000;

    private readonly Dictionary<int, PartitionProgress> _live = new();

    /// <summary>A running partition's latest counts (replacing its previous report).</summary>
    public void Live(int partition, PartitionProgress progress) => _live[partition] = progress;

    /// <summary>A finished partition's final counts join the job's totals (its live report goes).</summary>
    public void Finished(int partition, PartitionProgress progress)
    {
        _live.Remove(partition);
        s.FinishedDone += progress.Done;
        s.FinishedFailed += progress.Failed;
        s.FinishedCancelled += progress.Cancelled;
        s.FinishedRedone += progress.Redone;
        s.FinishedSampled += progress.Sampled;
        s.FinishedVerifierCalls += progress.VerifierCalls;
        s.FinishedResampled += progress.Resampled;
        if (progress.Failed > 0) s.FailedByPartition[partition] = progress.Failed;
        foreach (var e in progress.Errors)
            if (s.FirstErrors.Count < p.StatusErrors) s.FirstErrors.Add(e);
    }

    /// <summary>No partition runs any more (a cancel settled them all): their live reports go.</summary>
    public void ForgetLive() => _live.Clear();

    /// <summary>
    /// The totals anew from <paramref name="finals"/>, each partition's final counts (as the audit found them), in
    /// partition order — not the sum of the reports received along the way.
    /// </summary>
    public void Recount(IEnumerable<KeyValuePair<int, PartitionProgress>> finals)
    {
        s.FinishedDone = s.FinishedFailed = s.FinishedCancelled = s.FinishedRedone = 0;
        s.FinishedSampled = s.FinishedVerifierCalls = s.FinishedResampled = 0;
        s.FailedByPartition.Clear();
        s.FirstErrors.Clear();
        foreach (var (partition, progress) in finals.OrderBy(kv => kv.Key).ToList()) Finished(partition, progress);
    }

    /// <summary>The job's status: finished totals plus live counts; pending is never negative, in flight is zero unless running.</summary>
    public JobStatus Status(string jobId)
    {
        if (s.State == JobState.Unknown) return JobStatus.Unknown(jobId);
        int done = s.FinishedDone, failed = s.FinishedFailed, cancelled = s.FinishedCancelled, inFlight = 0;
        long sampled = s.FinishedSampled, scored = s.FinishedVerifierCalls, resampled = s.FinishedResampled;
        var errors = s.FirstErrors.ToList();
        foreach (var progress in _live.Values)
        {
            done += progress.Done; failed += progress.Failed; cancelled += progress.Cancelled; inFlight += progress.InFlight;
            sampled += progress.Sampled; scored += progress.VerifierCalls; resampled += progress.Resampled;
            errors.AddRange(progress.Errors);
        }
        if (s.State != JobState.Running) inFlight = 0;
        var pending = Math.Max(0, s.Total - done - failed - cancelled - inFlight);
        return new JobStatus(s.JobId, s.Kind, s.State, s.Total, pending, inFlight, done, failed, cancelled,
            errors.OrderBy(e => e.Index).Take(p.StatusErrors).ToArray(), s.OutputPrefix, s.Manifest, s.ContactSheet,
            s.RandomWeights, s.Created, s.Finished, s.Message, BestOf(s, done, sampled, scored, resampled));
    }

    /// <summary>
    /// Failed items <paramref name="offset"/>.. (at most <paramref name="count"/>, capped at <see cref="MaxErrorsPage"/>):
    /// partitions with failures in partition order (finished ones' counts, overridden by running ones' reports), each
    /// asked through <paramref name="read"/>(partition, skip, take) only for the part of the page it holds.
    /// </summary>
    public async Task<ItemError[]> ErrorsAsync(int offset, int count, Func<int, int, int, Task<ItemError[]>> read)
    {
        count = Math.Clamp(count, 0, MaxErrorsPage);
        var failed = new SortedDictionary<int, int>(s.FailedByPartition);
        foreach (var (partition, progress) in _live) if (progress.Failed > 0) failed[partition] = progress.Failed;
        var result = new List<ItemError>();
        var skip = Math.Max(0, offset);
        foreach (var (partition, n) in failed)
        {
            if (result.Count >= count) break;
            if (skip >= n) { skip -= n; continue; }
            result.AddRange(await read(partition, skip, count - result.Count));
            skip = 0;
        }
        return result.ToArray();
    }

    /// <summary>A best-of-N job's work so far (null for any other job).</summary>
    public static BestOfSummary? BestOf(JobGrainState s, long decodes, long sampled, long scored, long resampled) =>
        s.Generate is { BestOf: { } b } g
            ? new BestOfSummary(b.N, b.Keep, b.Verifier, g.Items(), sampled, scored, resampled, decodes,
                sampled * (g.Sampling?.Steps ?? 0))
            : null;
}
