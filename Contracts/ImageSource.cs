namespace RAE.Grid.Contracts;

/// <summary>
/// One input image: either its encoded bytes inline (PNG/JPEG/BMP), or a URI the grid's store can read (a blob name in the
/// configured store: relative, no scheme, no "..", see <c>Grid:Limits</c>). <see cref="Name"/> names the item in errors and outputs.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.ImageSource")]
public sealed record ImageSource(
    [property: Id(0)] string Name,
    [property: Id(1)] byte[]? Inline = null,
    [property: Id(2)] string? Uri = null);
