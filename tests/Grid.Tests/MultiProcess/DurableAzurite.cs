using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RAE.Grid.Grid.Tests.Storage;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A real Azurite blob service that keeps its blobs on disk (<c>--location</c>, never <c>--inMemoryPersistence</c>)
/// on a free loopback port, so a fault test can <see cref="Kill"/> it (SIGKILL: no shutdown, no final save) and
/// <see cref="Restart"/> it on the same port and folder, as an operator's storage restart would. What survives a kill is
/// what Azurite had saved: blob bytes are written as they arrive, but its metadata database is saved periodically, so
/// blobs acknowledged shortly before the kill may be gone after the restart (the store loss issue 10's fault run found).
/// Found as <see cref="AzuriteFixture.FindExecutable"/> finds it; killed and its folder deleted on dispose.
/// </summary>
public sealed class DurableAzurite : IDisposable
{
    // The well-known development account every Azurite accepts.
    const string AccountName = "devstoreaccount1";
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    readonly string _executable;
    readonly List<ChildProcess> _previous = [];
    ChildProcess _process;

    /// <summary>Starts Azurite on disk in a fresh folder and waits until it accepts connections.</summary>
    public DurableAzurite()
    {
        _executable = AzuriteFixture.FindExecutable(Environment.GetEnvironmentVariable("AZURITE_BLOB"), AzuriteFixture.RepositoryRoot(),
            Environment.GetEnvironmentVariable("PATH"));
        Location = Directory.CreateTempSubdirectory("rae-azurite-disk-").FullName;
        // A free port can be taken between probing and binding; a second try with a new port covers that race.
        for (var attempt = 1; ; attempt++)
        {
            Port = Ports.FreeLoopbackPort();
            var process = StartProcess();
            var problem = WaitUntilListening(process);
            if (problem is null) { _process = process; break; }
            var output = process.Tail(50);
            process.Dispose();
            if (attempt == 2)
            {
                TryDeleteLocation();
                throw new InvalidOperationException($"azurite-blob ({_executable}) did not start on 127.0.0.1:{Port}: {problem}\n{output}");
            }
        }
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
                           $"BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";
    }

    /// <summary>The loopback port Azurite listens on, the same after a restart.</summary>
    public int Port { get; }

    /// <summary>Azurite's data folder (<c>--location</c>): blobs and its metadata database.</summary>
    public string Location { get; }

    /// <summary>A shared-key connection string for this Azurite (valid across restarts).</summary>
    public string ConnectionString { get; }

    /// <summary>SIGKILLs Azurite (its whole process tree).</summary>
    public void Kill() => _process.Kill();

    /// <summary>
    /// Starts Azurite again on the same port and folder (killing it first if still running) and waits until it accepts
    /// connections. Throws with its output when it does not come up.
    /// </summary>
    public void Restart()
    {
        _process.Kill();
        _previous.Add(_process);
        _process = StartProcess();
        if (WaitUntilListening(_process) is { } problem)
            throw new InvalidOperationException($"azurite-blob did not restart on 127.0.0.1:{Port}: {problem}\n{_process.Tail(50)}");
    }

    /// <summary>What the running Azurite printed (last lines).</summary>
    public string Tail(int lines = 20) => _process.Tail(lines);

    ChildProcess StartProcess() => ChildProcess.Start("azurite", _executable,
        ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", Location, "--loose", "--silent"],
        Location, new Dictionary<string, string?>());

    // Null when the port accepts connections; otherwise why not.
    string? WaitUntilListening(ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited) return $"it exited with code {process.ExitCode}";
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return null;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        return $"the port did not accept connections within {StartTimeout.TotalSeconds:0} s";
    }

    /// <summary>Kills Azurite and deletes its folder.</summary>
    public void Dispose()
    {
        _process.Dispose();
        foreach (var p in _previous) p.Dispose();
        TryDeleteLocation();
    }

    void TryDeleteLocation()
    {
        try { Directory.Delete(Location, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
