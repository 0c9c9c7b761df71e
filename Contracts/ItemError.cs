namespace RAE.Grid.Contracts;

/// <summary>One failed item: its index, the input it came from, and what went wrong.</summary>
[GenerateSerializer, Immutable, Alias("rae.ItemError")]
public sealed record ItemError(
    [property: Id(0)] int Index,
    [property: Id(1)] string Input,
    [property: Id(2)] string Message);
