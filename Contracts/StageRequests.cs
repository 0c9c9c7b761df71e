namespace RAE.Grid.Contracts;

/// <summary>
/// A stage's queue is full. Retryable: the caller should back off and try again (or another silo). Raised at once,
/// never as a timeout.
/// </summary>
[GenerateSerializer, Alias("rae.StageBusyException")]
public sealed class StageBusyException(string message) : Exception(message);

/// <summary>An item the stage could not process (bad image, unknown class...): not retryable; names the item.</summary>
[GenerateSerializer, Alias("rae.ItemRejectedException")]
public sealed class ItemRejectedException(string message) : Exception(message);

/// <summary>One diffusion item: class label, run seed and item index (its noise depends on these alone) and settings.</summary>
[GenerateSerializer, Immutable, Alias("rae.DiffusionItem")]
public sealed record DiffusionItem(
    [property: Id(0)] int Label,
    [property: Id(1)] long Seed,
    [property: Id(2)] long ItemIndex,
    [property: Id(3)] int? Steps,
    [property: Id(4)] string? Sampler,
    [property: Id(5)] GuidanceSpec? Guidance);

/// <summary>A decoded image: PNG bytes and its size.</summary>
[GenerateSerializer, Immutable, Alias("rae.DecodedImage")]
public sealed record DecodedImage(
    [property: Id(0)] byte[] Png,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height);
