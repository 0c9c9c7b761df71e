namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The job's final audit, so that "done" means "there": every finished partition checks that the store holds each
/// output it recorded, with the recorded hash (<see cref="IPartitionGrain.Audit"/>). A partition that lost outputs — or
/// whose stored state is behind what it reported — re-opens, runs again and reports anew; a later round re-checks only
/// the partitions not yet found intact. When a round re-opens none, the job's totals are recomputed from what the
/// audited partitions hold. Lives as long as the job grain's activation (a new one audits every partition again).
/// </summary>
public sealed class JobAudit(JobGrainState s, JobSchedule schedule, JobTally tally)
{
    /// <summary>Partitions audited at once.</summary>
    public const int Parallelism = 16;

    /// <summary>Final counts of the partitions found intact in this activation.</summary>
    private readonly Dictionary<int, PartitionProgress> _audited = new();

    /// <summary>
    /// One round over the partitions not yet found intact, each checked through <paramref name="audit"/>. Returns how
    /// many outputs were lost and which partitions re-opened (now active again); when none did, the totals are recounted.
    /// </summary>
    public async Task<(int Lost, IReadOnlyList<int> Reopened)> RoundAsync(Func<int, Task<PartitionAuditResult>> audit)
    {
        var (reopened, lost) = (new List<int>(), 0);
        foreach (var chunk in Enumerable.Range(0, s.Partitions).Where(p => !_audited.ContainsKey(p)).Chunk(Parallelism))
        {
            var results = await Task.WhenAll(chunk.Select(async p => (p, r: await audit(p))));
            foreach (var (p, r) in results)
            {
                lost += r.Lost;
                if (r.Reopened) { schedule.Reopen(p); reopened.Add(p); }
                else _audited[p] = r.After;
            }
        }
        if (reopened.Count == 0) tally.Recount(_audited);
        return (lost, reopened);
    }
}
