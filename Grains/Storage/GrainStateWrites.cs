using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Grain state writes that survive a lost ETag. After state storage restarts (Redis restored from its AOF a moment
/// behind) or a write whose reply was lost, the stored ETag no longer matches and every later write would throw
/// <see cref="InconsistentStateException"/> for good — a job could then never persist its final state. The activation
/// holds the newest state (Orleans keeps one activation per grain), so it refreshes the ETag and writes its state again.
/// </summary>
public static class GrainStateWrites
{
    /// <summary>Writes <paramref name="state"/>; on an ETag conflict re-reads the ETag, keeps the in-memory state and writes once more.</summary>
    public static async Task WriteAsync<T>(IPersistentState<T> state, ILogger log, string grain)
    {
        try { await state.WriteStateAsync(); }
        catch (InconsistentStateException e)
        {
            log.LogWarning("State of {Grain} changed in storage under this activation ({Error}); writing this activation's state over it", grain, e.Message);
            var mine = state.State;
            await state.ReadStateAsync();
            state.State = mine;
            await state.WriteStateAsync();
        }
    }
}
