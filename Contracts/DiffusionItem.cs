namespace RAE.Grid.Contracts;

/// <summary>
/// One diffusion item: class label, run seed and item index (its noise depends on these alone) and the job's resolved
/// sampling settings (items with equal settings share a batch). A text-to-image item has a <see cref="Prompt"/> instead
/// of a label (-1): the diffusion stage asks the text stage <see cref="TextKey"/> for the prompt's condition tokens.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.DiffusionItem")]
public sealed record DiffusionItem(
    [property: Id(0)] int Label,
    [property: Id(1)] long Seed,
    [property: Id(2)] long ItemIndex,
    [property: Id(3)] SamplingSpec Sampling,
    [property: Id(4)] string? Prompt = null,
    [property: Id(5)] string? TextKey = null);
