namespace RAE.Grid.Contracts;

/// <summary>
/// The outcome of one encode shard: per image, null when its latent is in the shard, else why not (the rest went on);
/// and the stored shard's receipt (null when no image encoded, so nothing was written).
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.ShardResult")]
public sealed record ShardResult(
    [property: Id(0)] string?[] Errors,
    [property: Id(1)] OutputReceipt? Receipt);
