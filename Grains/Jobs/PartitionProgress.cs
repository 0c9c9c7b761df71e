using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A partition's counts as it reports them to its job (after every checkpoint, and once finished), so the job's status
/// is a sum over its few active partitions plus the totals of finished ones. <see cref="Errors"/> holds the
/// partition's first failed items only (at most the job's status shows); <see cref="Redone"/> counts outputs redone
/// because the store had lost or changed them. A best-of-N partition also counts its candidates sampled, latents scored
/// and kept candidates sampled again.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.PartitionProgress")]
public sealed record PartitionProgress(
    [property: Id(0)] int Done,
    [property: Id(1)] int Failed,
    [property: Id(2)] int Cancelled,
    [property: Id(3)] int InFlight,
    [property: Id(4)] bool Finished,
    [property: Id(5)] ItemError[] Errors,
    [property: Id(6)] int Redone = 0,
    [property: Id(7)] long Sampled = 0,
    [property: Id(8)] long VerifierCalls = 0,
    [property: Id(9)] long Resampled = 0);
