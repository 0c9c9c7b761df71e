namespace RAE.Grid.Silo;

/// <summary>Raised at start-up for invalid configuration; lists every problem.</summary>
public sealed class GridConfigurationException(IReadOnlyList<string> problems)
    : Exception("invalid grid configuration:\n  - " + string.Join("\n  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
