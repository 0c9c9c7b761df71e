namespace RAE.Grid.Grains.Placement;

/// <summary>No active silo hosts a stage the job needs (yet): retryable, a silo may join.</summary>
[GenerateSerializer, Alias("rae.NoStageSiloException")]
public sealed class NoStageSiloException(string message) : Exception(message);
