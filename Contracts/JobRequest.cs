namespace RAE.Grid.Contracts;

/// <summary>
/// A job as submitted: the kind, the model bundle id (clients name registry ids, never paths), and the inputs of that
/// kind. <see cref="OutputPrefix"/> defaults to <c>jobs/&lt;job id&gt;</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.JobRequest")]
public sealed record JobRequest(
    [property: Id(0)] JobKind Kind,
    [property: Id(1)] string BundleId,
    [property: Id(2)] ImageSource[]? Images = null,
    [property: Id(3)] GenerateSpec? Generate = null,
    [property: Id(4)] int ShardSize = 256,
    [property: Id(5)] string? OutputPrefix = null);
