namespace RAE.Grid.Contracts;

/// <summary>A decoded image: PNG bytes and its size.</summary>
[GenerateSerializer, Immutable, Alias("rae.DecodedImage")]
public sealed record DecodedImage(
    [property: Id(0)] byte[] Png,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height);
