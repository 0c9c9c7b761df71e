namespace RAE.Grid.Contracts;

/// <summary>
/// One diffusion item: its condition (a class or a prompt), run seed and item index (its noise depends on these alone)
/// and the job's resolved sampling settings (items with equal settings share a batch). For a prompt the diffusion stage
/// asks the text stage <see cref="TextKey"/> for the prompt's condition tokens.
/// </summary>
/// <remarks>Ids 0 and 4 held the label (-1 for a prompt) and the prompt before <see cref="ItemCondition"/>; they stay unused.</remarks>
[GenerateSerializer, Immutable, Alias("rae.DiffusionItem")]
public sealed record DiffusionItem(
    [property: Id(6)] ItemCondition Condition,
    [property: Id(1)] long Seed,
    [property: Id(2)] long ItemIndex,
    [property: Id(3)] SamplingSpec Sampling,
    [property: Id(5)] string? TextKey = null);
