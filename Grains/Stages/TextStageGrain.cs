using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The text stage of one text-to-image bundle on one silo (<c>bundle@silo</c>, placed on that silo): prompt → condition
/// tokens with the bundle's LLM, batching concurrent prompts and keeping their conditions (<see cref="StageRuntime.ConditionAsync"/>).
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class TextStageGrain(StageRuntime runtime) : Grain, ITextStageGrain
{
    public Task<TensorPayload> Condition(string prompt, string? jobId = null, int priority = 0, CancellationToken cancellation = default) =>
        runtime.ConditionAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), StageKeys.Replica(this.GetPrimaryKeyString()), prompt, cancellation, jobId, priority);
}
