namespace RAE.Grid.Contracts;

/// <summary>
/// What a stage that wrote an item's output to the store reports back: the object's size and SHA-256 (hex, lower case)
/// as stored, and what produced it — "silo/device/dtype" — so the job's records can say exactly which object is the
/// item's output and where it came from, and its final audit can check the store still holds that object.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.OutputReceipt")]
public sealed record OutputReceipt(
    [property: Id(0)] long Bytes,
    [property: Id(1)] string Sha256,
    [property: Id(2)] string Producer);
