namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// An undisturbed run of a request, alone on the fault cluster: its job id, how long it took from submit to finished,
/// and every output's decoded RGB pixels by item index (kept in memory, so a later store fault cannot touch them).
/// </summary>
public sealed record FaultReference(string JobId, TimeSpan Duration, IReadOnlyDictionary<int, byte[]> Pixels);
