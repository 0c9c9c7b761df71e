using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Keeps the list of jobs, so clients can list them (a page at a time) and a starting silo can resume unfinished ones.
/// Finished jobs older than <see cref="PipelineOptions.JobRetention"/> are dropped whenever the index changes, so its
/// state — rewritten on every change — stays bounded by the jobs of one retention period.
/// </summary>
public sealed class JobIndexGrain([PersistentState("index", GridStorage.JobStore)] IPersistentState<JobIndexState> state,
    IOptions<GridOptions> options, TimeProvider clock)
    : Grain, IJobIndexGrain
{
    JobIndexState S => state.State;

    public async Task Add(string jobId, string? owner = null)
    {
        if (S.All.Contains(jobId)) return;
        Expire();
        S.All.Add(jobId);
        if (owner is not null) S.Owners[jobId] = owner;
        S.Unfinished.Add(jobId);
        await state.WriteStateAsync();
    }

    public async Task MarkFinished(string jobId)
    {
        if (!S.Unfinished.Remove(jobId)) return;
        Expire();
        S.FinishedAt[jobId] = clock.GetUtcNow();
        await state.WriteStateAsync();
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
