namespace RAE.Grid.Contracts;

/// <summary>An item the stage could not process (bad image, unknown class...): not retryable; names the item.</summary>
[GenerateSerializer, Alias("rae.ItemRejectedException")]
public sealed class ItemRejectedException(string message) : Exception(message);
