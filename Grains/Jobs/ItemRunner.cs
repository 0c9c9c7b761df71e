using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Moves a partition's pending items through the stages, one runner per job kind (<see cref="For"/>): single images
/// (<see cref="ImageItemRunner"/>), latent shards (<see cref="ShardItemRunner"/>) and best-of-N items
/// (<see cref="BestOfItemRunner"/>). Each runs its work units through <see cref="WindowedRun"/> and
/// <see cref="ItemRetries"/>, and settles every item in the <see cref="PartitionLedger"/>.
/// </summary>
public abstract class ItemRunner(ItemRunContext context)
{
    /// <summary>The runner for <paramref name="context"/>'s job kind.</summary>
    public static ItemRunner For(ItemRunContext context, IGrainFactory grains) =>
        context.Ledger.Plan.Kind == JobKind.Encode ? new ShardItemRunner(context)
        : context.Ledger.Plan.Generate?.BestOf is not null ? new BestOfItemRunner(context, grains)
        : new ImageItemRunner(context);

    /// <summary>Runs every item of <paramref name="pending"/>, at most <paramref name="window"/>() items in flight.</summary>
    public abstract Task RunAsync(IReadOnlyList<int> pending, Func<int> window, CancellationToken ct);

    /// <summary>The book the items are settled in.</summary>
    protected PartitionLedger Ledger => context.Ledger;
    /// <summary>The partition's items.</summary>
    protected PartitionItems Items => context.Items;
    /// <summary>The partition's plan.</summary>
    protected PartitionPlan Plan => context.Ledger.Plan;
    /// <summary>The retry loop every runner shares.</summary>
    protected ItemRetries Retries => context.Retries;
    /// <summary>Outputs stored before a restart, accepted when they are their item's.</summary>
    protected StoredOutputs Stored => context.Stored;
    /// <summary>The router to the stages' silos.</summary>
    protected StageRouter Router => context.Router;
    /// <summary>The partition grain's log.</summary>
    protected ILogger Log => context.Log;

    /// <summary>
    /// Every work unit ends accounted for: an unexpected error (a bug, not an item's or a transient one) is logged and
    /// leaves the items pending, so the partition's next run retries them instead of the task faulting unobserved.
    /// </summary>
    protected async Task GuardAsync(IReadOnlyList<int> locals, Func<Task> work)
    {
        try { await work(); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            Log.LogError(e, "Job {Job} items {First}..{Last} hit an unexpected error; they stay pending and are retried when the partition runs again",
                Plan.JobId, Plan.Start + locals[0], Plan.Start + locals[^1]);
        }
    }

    /// <summary>Settles items with one error each (or none), then lets the grain checkpoint or report.</summary>
    protected Task SettleAsync(IReadOnlyList<int> locals, string?[]? errors, double seconds, bool transient) =>
        context.Settled(Ledger.Settle(Items, locals, errors, seconds, transient));

    /// <summary>Settles items that share one outcome.</summary>
    protected Task SettleAsync(IReadOnlyList<int> locals, ItemOutcome outcome, double seconds) =>
        SettleAsync(locals, outcome.Error is { } error ? locals.Select(_ => (string?)error).ToArray() : null, seconds, outcome.Transient);

    /// <summary>
    /// The diffusion item of generate output <paramref name="local"/>: its class, or its prompt and the text stage to
    /// condition it (on the diffusion silo <paramref name="diffusion"/> when that silo hosts one).
    /// </summary>
    protected DiffusionItem DiffusionItemOf(int local, long seed, long noiseIndex, StageHost diffusion) =>
        Items.ConditionOf(local) is var condition && condition.IsPrompt
            ? new(condition, seed, noiseIndex, Plan.Generate!.Sampling!, Router.KeyOf(Router.PickNear(StageNames.Text, diffusion)))
            : new(condition, seed, noiseIndex, Plan.Generate!.Sampling!);
}
