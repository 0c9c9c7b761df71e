using System.Diagnostics;
using Npgsql;
using RAE.Grid.Silo;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// The PostgreSQL fixture itself: a started server holds the Orleans schema once, is gone after dispose, and a server
/// left behind by a killed test run is stopped and removed by the next start.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PostgresServerTests
{
    [Fact]
    public async Task Started_server_holds_the_Orleans_schema_once_and_is_gone_after_dispose()
    {
        string connection;
        using (var postgres = new PostgresServer())
        {
            connection = postgres.ConnectionString;
            Assert.False(await PostgresSchema.EnsureAsync(connection), "the schema was applied a second time");
            await using var c = new NpgsqlConnection(connection);
            await c.OpenAsync();
            var keys = new List<string>();
            await using (var q = new NpgsqlCommand("SELECT querykey FROM orleansquery", c))
            await using (var r = await q.ExecuteReaderAsync())
                while (await r.ReadAsync()) keys.Add(r.GetString(0));
            // One query of each capability the grid uses: membership, grain state, reminders.
            foreach (var key in new[] { "MembershipReadAllKey", "WriteToStorageKey", "UpsertReminderRowKey" })
                Assert.Contains(key, keys);
        }
        await using var gone = new NpgsqlConnection(connection + ";Pooling=false;Timeout=2");
        await Assert.ThrowsAnyAsync<Exception>(() => gone.OpenAsync());
    }

    [Fact]
    public void A_server_left_by_a_killed_test_run_is_stopped_and_its_folder_removed_by_the_next_start()
    {
        using var left = new PostgresServer();
        // Make it look like the fixture of a run that was SIGKILLed: its owner is a process that has exited.
        using (var dead = Process.Start("true")) { dead.WaitForExit(); File.WriteAllText(Path.Combine(left.Folder, "owner.pid"), dead.Id.ToString()); }
        var server = Process.GetProcessById(left.ProcessId);

        using var next = new PostgresServer();

        Assert.True(server.WaitForExit(10_000), $"the left-over server (pid {left.ProcessId}) still runs");
        Assert.False(Directory.Exists(left.Folder), $"the left-over folder {left.Folder} is still there");
        Assert.NotEqual(left.Port, next.Port);
    }
}
