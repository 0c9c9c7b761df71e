using RAE.Grid.Grains.Storage;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>Keeps the list of jobs, so clients can list them and a starting silo can resume unfinished ones.</summary>
public sealed class JobIndexGrain([PersistentState("index", GridStorage.JobStore)] IPersistentState<JobIndexState> state)
    : Grain, IJobIndexGrain
{
    public async Task Add(string jobId)
    {
        if (state.State.All.Contains(jobId)) return;
        state.State.All.Add(jobId);
        state.State.Unfinished.Add(jobId);
        await state.WriteStateAsync();
    }

    public async Task MarkFinished(string jobId)
    {
        if (state.State.Unfinished.Remove(jobId)) await state.WriteStateAsync();
    }

    public Task<string[]> List() => Task.FromResult(state.State.All.ToArray());

    public Task<string[]> Unfinished() => Task.FromResult(state.State.Unfinished.ToArray());
}
