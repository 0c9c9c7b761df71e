using System.Diagnostics;
using Npgsql;
using RAE.Grid.Silo;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A real PostgreSQL server on a free loopback port for one test fixture: <c>initdb</c> of a fresh data folder, the
/// <c>postgres</c> server started on it (TCP on 127.0.0.1 only, no Unix socket), the database <see cref="Database"/>
/// created and the Orleans ADO.NET schema applied (<see cref="PostgresSchema.EnsureAsync"/>). Killed on dispose, its
/// folder deleted. A test run that was SIGKILLed leaves its server behind: every start first removes such leftovers (a
/// folder whose owning test process is gone: its server is killed, the folder deleted), and never reuses a port or a
/// folder. The binaries are found at <c>$POSTGRES_BIN</c>, else the newest <c>/usr/lib/postgresql/&lt;v&gt;/bin</c> (Debian
/// keeps them off PATH). PostgreSQL refuses to run as root: as root the server runs as the <c>postgres</c> user
/// (<c>setpriv</c>, which execs, so the process this fixture kills is the server itself). When PostgreSQL is missing
/// the fixture fails with the install command: the test must not pass by being skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>Command that installs PostgreSQL (Debian); <c>.ci/run</c> runs it when it is missing.</summary>
    public const string InstallCommand = "apt-get install -y postgresql";

    /// <summary>The database the grid uses (created by the fixture; the superuser of the same name owns it).</summary>
    public const string Database = "raegrid";

    const string FolderPrefix = "rae-pg-";
    const string OwnerFile = "owner.pid";
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(40);

    readonly ChildProcess _process;
    readonly string _runAs; // "" when this process may run PostgreSQL itself

    /// <summary>initdb, start, create the database, apply the schema; throws with the server's output when it does not come up.</summary>
    public PostgresServer()
    {
        RemoveLeftovers();
        var bin = FindBinaries(Environment.GetEnvironmentVariable("POSTGRES_BIN"));
        _runAs = Environment.UserName == "root" ? "postgres" : "";
        Folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        File.WriteAllText(Path.Combine(Folder, OwnerFile), Environment.ProcessId.ToString());
        var data = Path.Combine(Folder, "data");
        ChildProcess? process = null;
        try
        {
            if (_runAs != "") Run("chown", ["-R", $"{_runAs}:{_runAs}", Folder]);
            Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", Database, "--auth=trust", "--encoding=UTF8", "--no-sync"], asServerUser: true);
            Port = Ports.FreeLoopbackPort();
            // fsync off: a test server's durability against power loss buys nothing and costs seconds on a busy disk;
            // a killed server still loses no committed write (the OS holds it).
            _process = process = Start(Path.Combine(bin, "postgres"), ["-D", data, "-p", Port.ToString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"]);
            WaitUntilReady();
            using (var admin = new NpgsqlConnection(ConnectionStringOf("postgres")))
            {
                admin.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
                create.ExecuteNonQuery();
            }
            PostgresSchema.EnsureAsync(ConnectionString).GetAwaiter().GetResult();
        }
        catch
        {
            process?.Dispose();
            TryDelete(Folder);
            throw;
        }
    }

    /// <summary>This fixture's folder (the data folder and the owner file).</summary>
    public string Folder { get; }

    /// <summary>The loopback port PostgreSQL listens on.</summary>
    public int Port { get; }

    /// <summary>The Npgsql connection string of <see cref="Database"/> (what silos and clients are given).</summary>
    public string ConnectionString => ConnectionStringOf(Database);

    string ConnectionStringOf(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={Database};Timeout=15";

    /// <summary>The server's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the server printed (last lines).</summary>
    public string Tail(int lines = 30) => _process.Tail(lines);

    /// <summary>The bin folder of PostgreSQL: <paramref name="overridePath"/> if set, else the newest under /usr/lib/postgresql.</summary>
    public static string FindBinaries(string? overridePath)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
            return File.Exists(Path.Combine(overridePath, "postgres")) ? overridePath
                : throw new InvalidOperationException($"POSTGRES_BIN is set to '{overridePath}', which holds no postgres executable.");
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var found = versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "postgres")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var n) ? n : 0).FirstOrDefault();
        return found ?? throw new InvalidOperationException(
            "PostgreSQL was not found under /usr/lib/postgresql. The PostgreSQL multi-process grid test runs a real server for " +
            $"cluster membership, job state and reminders: install it with `{InstallCommand}` (Debian/Ubuntu, as root; run " +
            "`apt-get update` first on a fresh machine), or set POSTGRES_BIN to its bin folder. `bash .ci/run` installs it automatically.");
    }

    /// <summary>
    /// Kills the servers and deletes the folders of earlier fixtures whose test process is gone (SIGKILLed runs). A
    /// folder of a live process is another run's and is left alone.
    /// </summary>
    static void RemoveLeftovers()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = ReadPid(Path.Combine(folder, OwnerFile));
            if (owner is int o && Alive(o)) continue;
            // postmaster.pid's first line is the server's pid.
            if (ReadPid(Path.Combine(folder, "data", "postmaster.pid")) is int server && Alive(server))
                try { Process.GetProcessById(server).Kill(entireProcessTree: true); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
            TryDelete(folder);
        }
    }

    static int? ReadPid(string file)
    {
        try { return int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    static bool Alive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    // As root, the command runs as the server user: setpriv execs it (same pid), unlike su/runuser which fork.
    ChildProcess Start(string exe, string[] args) => _runAs == ""
        ? ChildProcess.Start("postgres", exe, args, Folder, new Dictionary<string, string?>())
        : ChildProcess.Start("postgres", "setpriv", ["--reuid", _runAs, "--regid", _runAs, "--init-groups", exe, .. args], Folder,
            new Dictionary<string, string?> { ["HOME"] = Folder });

    void Run(string exe, string[] args, bool asServerUser = false)
    {
        using var p = asServerUser ? Start(exe, args) : ChildProcess.Start(Path.GetFileName(exe), exe, args, Folder, new Dictionary<string, string?>());
        var code = p.WaitForExitAsync(StartTimeout).GetAwaiter().GetResult();
        if (code != 0) throw new InvalidOperationException($"{Path.GetFileName(exe)} {(code is null ? "timed out" : $"exited with code {code}")}\n{p.Tail(30)}");
    }

    void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"postgres exited with code {_process.ExitCode}\n{_process.Tail(30)}");
            try
            {
                using var c = new NpgsqlConnection(ConnectionStringOf("postgres") + ";Pooling=false");
                c.Open();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException) { last = e; }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException($"postgres did not accept connections on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:0} s ({last?.Message})\n{_process.Tail(30)}");
    }

    /// <summary>Kills the server and deletes its folder.</summary>
    public void Dispose()
    {
        _process.Dispose();
        TryDelete(Folder);
    }

    static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
