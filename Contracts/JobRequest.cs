namespace RAE.Grid.Contracts;

/// <summary>
/// A job as submitted: the kind, the model bundle id (clients name registry ids, never paths), and the inputs of that
/// kind. <see cref="OutputPrefix"/> defaults to <c>jobs/&lt;job id&gt;</c>. Images come in one of three ways, and a
/// request carries names, never megabytes, for the two meant for large batches: <see cref="InputList"/> (a list the
/// client uploaded next to the images it streamed into the store, see <see cref="Contracts.InputList"/>) or
/// <see cref="InputPrefix"/> (every image already stored under a prefix). <see cref="Images"/> (inline bytes or store
/// names) suits small batches: the whole request is one Orleans message. <see cref="Priority"/> (−100..100, default 0):
/// stage queues serve a higher priority's items first, and a waiting job with a higher priority is admitted first.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.JobRequest")]
public sealed record JobRequest(
    [property: Id(0)] JobKind Kind,
    [property: Id(1)] string BundleId,
    [property: Id(2)] ImageSource[]? Images = null,
    [property: Id(3)] GenerateSpec? Generate = null,
    [property: Id(4)] int ShardSize = 256,
    [property: Id(5)] string? OutputPrefix = null,
    [property: Id(6)] string? InputList = null,
    [property: Id(7)] string? InputPrefix = null,
    [property: Id(8)] int Priority = 0)
{
    /// <summary>Largest |<see cref="Priority"/>|.</summary>
    public const int MaxPriority = 100;
}
