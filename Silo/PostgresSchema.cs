using Npgsql;

namespace RAE.Grid.Silo;

/// <summary>
/// The Orleans ADO.NET schema a PostgreSQL cluster needs (membership, grain state, reminders). The Orleans packages ship
/// no SQL: the scripts are vendored from dotnet/orleans under <c>infra/postgres/</c> (MIT) and embedded in this
/// assembly; <see cref="EnsureAsync"/> applies them to an empty database, once. By hand the same is
/// <c>psql -f</c> of <see cref="Scripts"/> in order (what <c>infra/local-cluster.sh</c> does).
/// </summary>
public static class PostgresSchema
{
    /// <summary>The ADO.NET invariant of Npgsql, which the Orleans providers map to <c>Npgsql.NpgsqlFactory</c>.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The scripts in the order they must run: Main (the query table) first, then each capability.</summary>
    public static readonly string[] Scripts =
        ["PostgreSQL-Main.sql", "PostgreSQL-Clustering.sql", "PostgreSQL-Persistence.sql", "PostgreSQL-Reminders.sql"];

    // Any constant shared by every caller: concurrent starters (several silos, test fixtures) queue on it.
    const long AdvisoryLockKey = 0x5241_4547_7269_64; // "RAEGrid"

    /// <summary>
    /// Applies <see cref="Scripts"/> to the database of <paramref name="connectionString"/> unless its Orleans query
    /// table already exists. One transaction under an advisory lock: concurrent callers apply it once, and a failure
    /// leaves the database as it was. Returns whether it applied the scripts.
    /// </summary>
    public static async Task<bool> EnsureAsync(string connectionString, CancellationToken cancellation = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellation);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", connection, transaction))
            if (await exists.ExecuteScalarAsync(cancellation) is true) return false;
        foreach (var script in Scripts) await ExecuteAsync(connection, transaction, Read(script), cancellation);
        await transaction.CommitAsync(cancellation);
        return true;
    }

    /// <summary>The text of one of <see cref="Scripts"/>.</summary>
    public static string Read(string script)
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream("postgres/" + script)
            ?? throw new ArgumentException($"no embedded PostgreSQL script '{script}'", nameof(script));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
