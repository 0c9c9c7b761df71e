using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Keeps the list of jobs, so clients can list them (a page at a time) and a starting silo can resume unfinished ones.
/// Finished jobs older than <see cref="PipelineOptions.JobRetention"/> are dropped whenever the index changes, so its
/// state — rewritten on every change — stays bounded by the jobs of one retention period. It also admits jobs
/// (<see cref="IJobAdmissionGrain"/>): at most MaxConcurrentJobs run, the rest wait, so a burst of jobs queues instead of failing.
/// </summary>
public sealed class JobIndexGrain([PersistentState("index", GridStorage.JobStore)] IPersistentState<JobIndexState> state,
    IOptions<GridOptions> options, TimeProvider clock, Microsoft.Extensions.Logging.ILogger<JobIndexGrain> log)
    : Grain, IJobIndexGrain, IJobAdmissionGrain
{
    JobIndexState S => state.State;

    public async Task Add(string jobId, string? owner = null)
    {
        if (S.All.Contains(jobId)) return;
        Expire();
        S.All.Add(jobId);
        if (owner is not null) S.Owners[jobId] = owner;
        S.Unfinished.Add(jobId);
        await GrainStateWrites.WriteAsync(state, log, "job index");
    }

    public async Task MarkFinished(string jobId)
    {
        var freed = S.Admitted.Remove(jobId) | S.Waiting.Remove(jobId);
        S.WaitingPriority.Remove(jobId);
        if (!S.Unfinished.Remove(jobId) && !freed) return;
        Expire();
        S.FinishedAt[jobId] = clock.GetUtcNow();
        var admitted = AdmitWaiting();
        await GrainStateWrites.WriteAsync(state, log, "job index");
        foreach (var id in admitted) await GrainFactory.GetGrain<IJobControlGrain>(id).Admitted();
    }

    public async Task<bool> Admit(string jobId, int priority)
    {
        if (S.Admitted.Contains(jobId)) return true;
        var joined = !S.Waiting.Contains(jobId);
        if (joined) { S.Waiting.Add(jobId); S.WaitingPriority[jobId] = priority; }
        var admitted = AdmitWaiting();
        // A waiting job asks again at every reminder tick: only a change is written.
        if (joined || admitted.Count > 0) await GrainStateWrites.WriteAsync(state, log, "job index");
        foreach (var id in admitted.Where(id => id != jobId)) await GrainFactory.GetGrain<IJobControlGrain>(id).Admitted();
        return S.Admitted.Contains(jobId);
    }

    /// <summary>Moves waiting jobs into free slots, highest priority first, then in arrival order; returns them.</summary>
    private List<string> AdmitWaiting()
    {
        var admitted = new List<string>();
        var limit = options.Value.Pipeline.MaxConcurrentJobs;
        while (S.Admitted.Count < limit && S.Waiting.Count > 0)
        {
            var next = S.Waiting.Select((id, order) => (id, order)).OrderByDescending(x => S.WaitingPriority.GetValueOrDefault(x.id))
                .ThenBy(x => x.order).First().id;
            S.Waiting.Remove(next);
            S.WaitingPriority.Remove(next);
            S.Admitted.Add(next);
            admitted.Add(next);
        }
        return admitted;
    }

    public Task<string[]> List(int offset = 0, int count = IJobIndexGrain.MaxPage) =>
        Task.FromResult(Visible().Skip(Math.Max(0, offset)).Take(Math.Clamp(count, 0, IJobIndexGrain.MaxPage)).ToArray());

    public Task<int> Count() => Task.FromResult(Visible().Count());

    /// <summary>The jobs the caller may see: every job for admins and calls from inside the grid, else the caller's own.</summary>
    private IEnumerable<string> Visible() => CallerIdentity.Current is { Admin: false } caller
        ? S.All.Where(id => caller.MayAccess(S.Owners.GetValueOrDefault(id)))
        : S.All;

    public Task<string[]> Unfinished() => Task.FromResult(S.Unfinished.ToArray());

    /// <summary>Drops finished jobs whose retention has passed (unfinished ones are never dropped).</summary>
    private void Expire()
    {
        var cutoff = clock.GetUtcNow() - options.Value.Pipeline.JobRetention;
        var expired = S.FinishedAt.Where(kv => kv.Value < cutoff).Select(kv => kv.Key).ToHashSet();
        if (expired.Count == 0) return;
        S.All.RemoveAll(expired.Contains);
        foreach (var id in expired) { S.FinishedAt.Remove(id); S.Owners.Remove(id); }
    }
}
