namespace RAE.Grid.Contracts;

/// <summary>Raised before sending a payload larger than the configured limit; names what was too large.</summary>
[GenerateSerializer, Alias("rae.PayloadTooLargeException")]
public sealed class PayloadTooLargeException(string message) : Exception(message);
