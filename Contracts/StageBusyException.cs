namespace RAE.Grid.Contracts;

/// <summary>
/// A stage's queue is full. Retryable: the caller should back off and try again (or another silo). Raised at once,
/// never as a timeout.
/// </summary>
[GenerateSerializer, Alias("rae.StageBusyException")]
public sealed class StageBusyException(string message) : Exception(message);
