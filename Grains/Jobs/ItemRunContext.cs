using Microsoft.Extensions.Logging;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// What the item runner of one partition activation works with: the ledger it settles items in, the items, the shared
/// retry loop, the check of outputs stored before a restart, the router to the stages, and <see cref="Settled"/>, which
/// the grain runs after each settle (a checkpoint or a report, as the ledger says).
/// </summary>
public sealed record ItemRunContext(
    PartitionLedger Ledger,
    PartitionItems Items,
    ItemRetries Retries,
    StoredOutputs Stored,
    StageRouter Router,
    Func<SettleStep, Task> Settled,
    ILogger Log);
