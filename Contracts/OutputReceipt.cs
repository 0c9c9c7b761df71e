namespace RAE.Grid.Contracts;

/// <summary>
/// What a stage that wrote an item's output to the store reports back: the object's size and SHA-256 (hex, lower case)
/// as written, and what produced it — the silo, its device and dtype — so the job's records can say exactly which
/// object is the item's output and where it came from, and its final audit can check the store still holds that object.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.OutputReceipt")]
public sealed record OutputReceipt(
    [property: Id(0)] long Bytes,
    [property: Id(1)] string Sha256,
    [property: Id(2)] string Silo,
    [property: Id(3)] string Device,
    [property: Id(4)] string DType)
{
    /// <summary>"silo/device/dtype", as item records show it.</summary>
    public string Producer => $"{Silo}/{Device}/{DType}";

    /// <summary>The receipt of a stored object of <paramref name="bytes"/> bytes made by <paramref name="producer"/> ("silo/device/dtype").</summary>
    public static OutputReceipt Of(long bytes, string sha256, string producer)
    {
        var parts = producer.Split('/');
        return new OutputReceipt(bytes, sha256, parts[0], parts.ElementAtOrDefault(1) ?? "", parts.ElementAtOrDefault(2) ?? "");
    }
}
