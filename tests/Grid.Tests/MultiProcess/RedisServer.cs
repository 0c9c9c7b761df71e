using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port for one test fixture, durable as production must be: the
/// append-only file is on (<see cref="AppendFsync"/>) in a data folder of its own, so <see cref="Kill"/> (SIGKILL) and
/// <see cref="Restart"/> on the same port and folder bring back every write Redis acknowledged. Started in the
/// constructor, ready once it answers PING (bounded wait), killed on dispose (its folder deleted). It is found at
/// <c>$REDIS_SERVER</c>, then on PATH. When it is missing the fixture fails with the install command: the multi-process
/// test is part of the suite and must not pass by being skipped.
/// </summary>
public sealed class RedisServer : IDisposable
{
    /// <summary>
    /// The AOF fsync policy: <c>everysec</c>, as in <c>infra/</c> and the README's production advice. Redis writes each
    /// command to the AOF (write(2)) before it replies, so a killed process loses nothing it acknowledged; only an OS
    /// crash or power loss can lose the last second, which <c>always</c> would close at the price of an fsync per write.
    /// </summary>
    public const string AppendFsync = "everysec";

    /// <summary>Command that installs redis-server (Debian); <c>.ci/run</c> runs it when redis-server is missing.</summary>
    public const string InstallCommand = "apt-get install -y redis-server";

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    readonly string _executable;
    readonly List<ChildProcess> _previous = [];
    ChildProcess _process;

    /// <summary>Starts redis-server (AOF on, a fresh data folder) and waits until it answers PING.</summary>
    public RedisServer()
    {
        _executable = FindExecutable(Environment.GetEnvironmentVariable("REDIS_SERVER"), Environment.GetEnvironmentVariable("PATH"));
        DataDirectory = Directory.CreateTempSubdirectory("rae-redis-").FullName;
        // A free port can be taken between probing and binding; a second try with a new port covers that race.
        for (var attempt = 1; ; attempt++)
        {
            Port = Ports.FreeLoopbackPort();
            var process = StartProcess();
            var problem = WaitUntilReady(process);
            if (problem is null) { _process = process; break; }
            process.Kill();
            var output = process.Tail(50);
            process.Dispose();
            if (attempt == 2)
            {
                TryDeleteDataDirectory();
                throw new InvalidOperationException($"redis-server ({_executable}) did not start on 127.0.0.1:{Port}: {problem}\n{output}");
            }
        }
    }

    /// <summary>The folder holding the append-only file; it outlives <see cref="Kill"/>, so <see cref="Restart"/> reloads it.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether redis-server is running (false between <see cref="Kill"/> and <see cref="Restart"/>).</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>SIGKILLs redis-server: no shutdown, no final save; what survives is what the AOF already held.</summary>
    public void Kill() => _process.Kill();

    /// <summary>
    /// Starts redis-server again on the same port and data folder (after <see cref="Kill"/>; kills it first if still
    /// running) and waits until it answers PING, having loaded the AOF. Throws with its output when it does not come up.
    /// </summary>
    public void Restart()
    {
        _process.Kill();
        _previous.Add(_process);
        _process = StartProcess();
        if (WaitUntilReady(_process) is { } problem)
            throw new InvalidOperationException($"redis-server did not restart on 127.0.0.1:{Port}: {problem}\n{_process.Tail(50)}");
    }

    ChildProcess StartProcess() => ChildProcess.Start("redis", _executable,
        ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataDirectory, "--save", "",
         "--appendonly", "yes", "--appendfsync", AppendFsync],
        DataDirectory, new Dictionary<string, string?>());

    /// <summary>The loopback port Redis listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string of this server (what silos and clients are given).</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>What redis-server printed (last lines; after a restart, those of the running one).</summary>
    public string Tail(int lines = 30) => _process.Tail(lines);

    /// <summary>The redis-server to run: <paramref name="overridePath"/> if set, else the first on <paramref name="searchPath"/>.</summary>
    public static string FindExecutable(string? overridePath, string? searchPath)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            if (File.Exists(overridePath)) return overridePath;
            throw new InvalidOperationException($"REDIS_SERVER is set to '{overridePath}', which does not exist.");
        }
        foreach (var dir in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            "redis-server was not found on PATH. The multi-process grid test runs a real Redis for cluster membership and " +
            $"job state: install it with `{InstallCommand}` (Debian/Ubuntu, as root; run `apt-get update` first on a fresh " +
            "machine), or set REDIS_SERVER to a redis-server executable. `bash .ci/run` installs it automatically.");
    }

    /// <summary>Whether a Redis on 127.0.0.1:<paramref name="port"/> answers PING with PONG within <paramref name="timeout"/>.</summary>
    public static bool Ping(int port, TimeSpan timeout)
    {
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(IPAddress.Loopback, port).Wait(timeout)) return false;
            var stream = client.GetStream();
            stream.ReadTimeout = (int)timeout.TotalMilliseconds;
            stream.Write("PING\r\n"u8);
            var buffer = new byte[64];
            var n = stream.Read(buffer, 0, buffer.Length);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or AggregateException) { return false; }
    }

    // Null when it answers PING; otherwise why not.
    string? WaitUntilReady(ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited) return $"it exited with code {process.ExitCode}";
            if (Ping(Port, TimeSpan.FromSeconds(1))) return null;
            Thread.Sleep(100);
        }
        return $"it did not answer PING within {StartTimeout.TotalSeconds:0} s";
    }

    /// <summary>Kills redis-server and deletes its data folder.</summary>
    public void Dispose()
    {
        _process.Dispose();
        foreach (var p in _previous) p.Dispose();
        TryDeleteDataDirectory();
    }

    void TryDeleteDataDirectory()
    {
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
