namespace RAE.Grid.Grains.Access;

/// <summary>An output prefix's owner: the job that claimed it and the client that submitted that job (null: none).</summary>
[GenerateSerializer, Immutable, Alias("rae.OutputClaim"), MessagePack.MessagePackObject]
public sealed record OutputClaim(
    [property: Id(0), MessagePack.Key(0)] string Prefix,
    [property: Id(1), MessagePack.Key(1)] string JobId,
    [property: Id(2), MessagePack.Key(2)] string? Owner);
