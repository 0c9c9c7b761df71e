namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// <see cref="MultiProcessGridTests"/> on PostgreSQL: the silos' membership, job state and reminders in a real
/// PostgreSQL server through the Orleans ADO.NET providers (<see cref="PostgresServer"/>), clients finding the gateways
/// in the same database (<c>--cluster postgres</c>).
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PostgresMultiProcessGridTests(PostgresTwoSiloCluster cluster) : MultiProcessGridTests(cluster), IClassFixture<PostgresTwoSiloCluster>;
