namespace RAE.Grid.Contracts;

/// <summary>
/// The grid refused a client's call: no or a wrong credential, a grain clients may not call, or a job or output that
/// belongs to another client. The message names what was refused and never carries a secret or a server path.
/// </summary>
[GenerateSerializer, Alias("rae.AccessDeniedException")]
public sealed class AccessDeniedException(string message) : Exception(message);
