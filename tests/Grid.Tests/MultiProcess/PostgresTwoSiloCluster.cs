namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary><see cref="TwoSiloCluster"/> with PostgreSQL as the cluster backend instead of Redis.</summary>
public sealed class PostgresTwoSiloCluster() : TwoSiloCluster("postgres");
