namespace RAE.Grid.Contracts;

/// <summary>
/// One diffusion item: class label, run seed and item index (its noise depends on these alone) and the job's resolved
/// sampling settings (items with equal settings share a batch).
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.DiffusionItem")]
public sealed record DiffusionItem(
    [property: Id(0)] int Label,
    [property: Id(1)] long Seed,
    [property: Id(2)] long ItemIndex,
    [property: Id(3)] SamplingSpec Sampling);
