namespace RAE.Grid.Models.Checkpoints;

/// <summary>Raised when a checkpoint does not match a module: lists every missing, unexpected and mis-shaped key.</summary>
public sealed class StateDictMismatchException(string message, IReadOnlyList<string> missing,
    IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped) : Exception(message)
{
    /// <summary>Keys the module has and the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
    /// <summary>Keys the checkpoint has and the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
    /// <summary>Keys present in both with different shapes, as "key: checkpoint [..] vs model [..]".</summary>
    public IReadOnlyList<string> MisShaped { get; } = misShaped;
}
