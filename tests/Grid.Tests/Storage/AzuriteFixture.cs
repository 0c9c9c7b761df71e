using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>
/// A real Azurite blob service on a free loopback port, in memory, for the tests of one collection. It is found at
/// <c>$AZURITE_BLOB</c>, then <c>&lt;repo&gt;/.tools/node_modules/.bin/azurite-blob</c> (what <c>.ci/run</c> installs),
/// then on PATH. When it is missing the fixture fails with the command that installs it: the Azure tests are part of
/// the contract and must not pass by being skipped.
/// </summary>
public sealed class AzuriteFixture : IDisposable
{
    /// <summary>Command that installs the pinned Azurite where the fixture looks first.</summary>
    public const string InstallCommand = "npm install --no-save --prefix .tools azurite@3.37.0";

    // The well-known development account every Azurite accepts.
    const string AccountName = "devstoreaccount1";
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    readonly Process _process;
    readonly string _workDir;
    readonly ConcurrentQueue<string> _output = new();

    /// <summary>Starts Azurite and waits until it accepts connections.</summary>
    public AzuriteFixture()
    {
        var executable = FindExecutable(Environment.GetEnvironmentVariable("AZURITE_BLOB"), RepositoryRoot(),
                                        Environment.GetEnvironmentVariable("PATH"));
        _workDir = Directory.CreateTempSubdirectory("rae-azurite-").FullName;
        // A free port can be taken between probing and binding; a second try with a new port covers that race.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            _process = Start(executable, Port);
            var problem = WaitUntilListening();
            if (problem is null) break;
            Kill();
            _process.Dispose();
            if (attempt == 2)
            {
                TryDeleteWorkDir();
                throw new InvalidOperationException($"azurite-blob ({executable}) did not start on 127.0.0.1:{Port}: {problem}\n{Output}");
            }
        }
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
                           $"BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";
    }

    /// <summary>The loopback port Azurite listens on.</summary>
    public int Port { get; }

    /// <summary>A shared-key connection string for this Azurite.</summary>
    public string ConnectionString { get; }

    /// <summary>What Azurite printed so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>A container client (not yet created) with the stores' client options.</summary>
    public BlobContainerClient ContainerClient(string name) =>
        new BlobServiceClient(ConnectionString, AzureBlobStore.CreateClientOptions()).GetBlobContainerClient(name);

    /// <summary>A fresh, unique container name, so tests sharing this Azurite never see each other's blobs.</summary>
    public static string NewContainerName() => "t" + Guid.NewGuid().ToString("N");

    /// <summary>Stops Azurite (its whole process tree).</summary>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
        TryDeleteWorkDir();
    }

    /// <summary>
    /// The azurite-blob to run: <paramref name="overridePath"/> (AZURITE_BLOB) if set, else the repository's
    /// <c>.tools</c> install, else the first on <paramref name="searchPath"/>; throws with install instructions when none.
    /// </summary>
    public static string FindExecutable(string? overridePath, string? repositoryRoot, string? searchPath)
    {
        var name = OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob";
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            if (File.Exists(overridePath)) return overridePath;
            throw new InvalidOperationException($"AZURITE_BLOB is set to '{overridePath}', which does not exist. " +
                                                $"Unset it to use the repository's copy, installed with `{InstallCommand}`.");
        }
        var looked = new List<string>();
        if (repositoryRoot is not null)
        {
            var local = Path.Combine(repositoryRoot, ".tools", "node_modules", ".bin", name);
            if (File.Exists(local)) return local;
            looked.Add(local);
        }
        foreach (var dir in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        looked.Add("PATH");
        throw new InvalidOperationException(
            $"azurite-blob was not found (looked in {string.Join(", ", looked)}). The Azure Blob store tests need a real " +
            $"Azurite: from the repository root run `{InstallCommand}` (needs node and npm), or set AZURITE_BLOB to an " +
            "azurite-blob executable. `bash .ci/run` installs it automatically.");
    }

    /// <summary>The folder holding RAE.Grid.sln above the test binaries, or null.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RAE.Grid.sln")))
                return dir.FullName;
        return null;
    }

    static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    Process Start(string executable, int port)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--inMemoryPersistence", "--loose", "--silent" })
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // Null when the port accepts connections; otherwise why not.
    string? WaitUntilListening()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited) return $"it exited with code {_process.ExitCode}";
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return null;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        return $"the port did not accept connections within {StartTimeout.TotalSeconds:0} s";
    }

    void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { } // already gone
    }

    void TryDeleteWorkDir()
    {
        try { Directory.Delete(_workDir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Test classes in this collection share one <see cref="AzuriteFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Azurite";
}
