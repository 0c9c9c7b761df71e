namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// The test classes that run grids of real processes (<see cref="MultiProcessGridTests"/>, <see cref="FaultTests"/>)
/// run one after the other, not side by side: each starts several silo processes, and on a 2-core machine two such
/// grids at once would turn their bounded waits into a measure of CPU contention.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MultiProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Multi-process grids";
}
