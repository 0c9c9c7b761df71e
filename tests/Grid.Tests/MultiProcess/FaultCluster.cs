using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using RAE.Grid.Client;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A grid to break, each part a real process on loopback: a durable Redis (AOF on: membership, job state, reminders),
/// Azurite keeping its blobs on disk (the output store), and <see cref="SiloCount"/> <c>rae-grid serve</c> silos that
/// each host every stage, so any one of them may be SIGKILLed and the others carry on. Redis and Azurite can be
/// SIGKILLed and restarted on the same port and data folder. Tests talk to the grid through in-process
/// <see cref="GridClient"/>s connected through Redis (as <c>rae-grid --cluster redis</c>) and read the container directly.
/// Silos log warnings and the job grains' information lines (which name the job a silo coordinates). Every process is
/// killed on dispose.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    /// <summary>Silo processes of the grid.</summary>
    public const int SiloCount = 3;
    /// <summary>Items per partition: a 300-item job has three partitions, spread over the silos.</summary>
    public const int PartitionSize = 100;
    /// <summary>The repository bundle the fault jobs use (28×28 outputs, fast on a CPU).</summary>
    public const string Bundle = "fashion-mnist";
    static readonly TimeSpan SiloStartTimeout = TimeSpan.FromSeconds(120);
    static readonly TimeSpan CliBuildTimeout = TimeSpan.FromSeconds(150);

    readonly List<ChildProcess> _processes = [];
    readonly List<IHost> _clients = [];
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    readonly Stopwatch _clock = Stopwatch.StartNew();
    SiloProcess?[] _silos = new SiloProcess?[SiloCount];
    int _generation;

    public string Repo { get; private set; } = "";
    public string Cli { get; private set; } = "";
    /// <summary>Scratch folder (silo working folders); deleted on dispose.</summary>
    public string WorkDir { get; } = Directory.CreateTempSubdirectory("rae-faults-").FullName;
    public RedisServer Redis { get; private set; } = null!;
    public DurableAzurite Azurite { get; private set; } = null!;
    public string Container { get; } = "rae-faults-" + Guid.NewGuid().ToString("N")[..12];
    /// <summary>The blob container the silos write to, read directly by the tests.</summary>
    public AzureBlobStore Store { get; private set; } = null!;
    /// <summary>A client connected through Redis.</summary>
    public GridClient Grid { get; private set; } = null!;

    /// <summary>The silos now running (a killed one is absent until <see cref="EnsureSilosAsync"/> replaces it).</summary>
    public IEnumerable<SiloProcess> Silos => _silos.Where(s => s is not null && !s.Process.HasExited)!;

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<FaultReference>>> _references = new();

    /// <summary>
    /// The undisturbed run under <paramref name="key"/>, made once by <paramref name="run"/> and shared by every test
    /// of the fixture (a failed run is not cached: the next test tries again).
    /// </summary>
    public async Task<FaultReference> ReferenceAsync(string key, Func<Task<FaultReference>> run)
    {
        var lazy = _references.GetOrAdd(key, _ => new Lazy<Task<FaultReference>>(run));
        try { return await lazy.Value; }
        catch { _references.TryRemove(new KeyValuePair<string, Lazy<Task<FaultReference>>>(key, lazy)); throw; }
    }

    public async Task InitializeAsync()
    {
        try
        {
            Repo = GridCli.RepositoryRoot();
            Cli = await GridCli.EnsureBuiltAsync(Repo, CliBuildTimeout);
            var redis = Task.Run(() => new RedisServer());
            var azurite = Task.Run(() => new DurableAzurite());
            try { await Task.WhenAll(redis, azurite); }
            finally
            {
                if (redis.IsCompletedSuccessfully) Redis = redis.Result;
                if (azurite.IsCompletedSuccessfully) Azurite = azurite.Result;
            }
            Store = await AzureBlobStore.CreateAsync(Azurite.ConnectionString, Container);
            await EnsureSilosAsync();
            Grid = await ConnectClientAsync();
        }
        catch (Exception e)
        {
            throw new MultiProcessFailure($"the {SiloCount}-silo fault cluster did not start: {e.Message}", Diagnostics(), e);
        }
    }

    /// <summary>Starts a silo in every empty or dead slot and waits until each answers /healthz.</summary>
    public async Task EnsureSilosAsync()
    {
        var started = new List<SiloProcess>();
        for (var i = 0; i < SiloCount; i++)
        {
            if (_silos[i] is { } s && !s.Process.HasExited) continue;
            var ports = Ports.FreeLoopbackPorts(3);
            var silo = StartSilo($"silo-{i + 1}.{++_generation}", ports[0], ports[1], ports[2]);
            _silos[i] = silo;
            started.Add(silo);
        }
        await Task.WhenAll(started.Select(s => s.WaitHealthyAsync(_http, SiloStartTimeout)));
    }

    SiloProcess StartSilo(string name, int siloPort, int gatewayPort, int healthPort)
    {
        var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("RAEGRID_", StringComparison.OrdinalIgnoreCase)).ToDictionary(k => k, _ => (string?)null);
        void Set(string key, string value) => env["RAEGRID_" + key.Replace(":", "__")] = value;
        Set("Cluster:Mode", "redis");
        Set("Cluster:Redis", Redis.ConnectionString);
        Set("Cluster:SiloPort", siloPort.ToString());
        Set("Cluster:GatewayPort", gatewayPort.ToString());
        Set("Health:Port", healthPort.ToString());
        Set("State:Kind", "redis");
        Set("OutputStore:Kind", OutputStoreOptions.AzureBlobKind);
        Set("OutputStore:ConnectionString", Azurite.ConnectionString);
        Set("OutputStore:Container", Container);
        Set($"Grid:Bundles:{Bundle}", Path.Combine(Repo, "bundles", Bundle, "bundle.json"));
        Set("Grid:Pipeline:PartitionSize", PartitionSize.ToString());
        // Warnings, plus the job grains' lines: "Job <id>: Generate of N items ..." names the coordinator's silo.
        Set("Logging:LogLevel:Default", "Warning");
        Set("Logging:LogLevel:RAE.Grid.Grains.Jobs", "Information");
        Set("Logging:Console:FormatterName", "simple");
        Set("Logging:Console:FormatterOptions:SingleLine", "true");
        var dir = Directory.CreateDirectory(Path.Combine(WorkDir, name)).FullName;
        var process = Track(ChildProcess.Start(name, GridCli.DotnetHost(), [Cli, "serve"], dir, env));
        return new SiloProcess(name, process, ["encoder", "diffusion", "verifier", "decoder"], siloPort, gatewayPort, healthPort);
    }

    /// <summary>
    /// A further client through Redis membership (a second "user" of the grid), once the cluster lists every running
    /// silo as active; disposed with the cluster.
    /// </summary>
    public async Task<GridClient> ConnectClientAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            IHost? host = null;
            try
            {
                host = await new GridConnection("redis", Redis: Redis.ConnectionString).ConnectAsync();
                var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
                while ((await management.GetHosts(onlyActive: true)).Count(h => h.Value == SiloStatus.Active) < Silos.Count())
                {
                    if (clock.Elapsed > SiloStartTimeout) throw new TimeoutException($"the cluster did not list {Silos.Count()} active silos within {SiloStartTimeout.TotalSeconds:0} s");
                    await Task.Delay(250);
                }
                lock (_clients) _clients.Add(host);
                return new GridClient(host.Services.GetRequiredService<IClusterClient>());
            }
            catch (Exception e) when (e is not TimeoutException && clock.Elapsed < SiloStartTimeout)
            {
                // No gateway in the membership table yet: the client fails to start; try again.
                if (host is not null) await StopAsync(host);
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// The running silo that logged starting job <paramref name="jobId"/> (its JobGrain, the job's coordinator, lives
    /// there), waiting up to <paramref name="timeout"/> for the line; null if none did.
    /// </summary>
    public async Task<SiloProcess?> CoordinatorOfAsync(string jobId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var line = $"Job {jobId}: ";
        do
        {
            var silo = Silos.FirstOrDefault(s => s.Process.Output.Contains(line + "Generate of", StringComparison.Ordinal)
                                                 || s.Process.Output.Contains($"Job {jobId} resumes", StringComparison.Ordinal));
            if (silo is not null) return silo;
            await Task.Delay(100);
        } while (clock.Elapsed < timeout);
        return null;
    }

    ChildProcess Track(ChildProcess p)
    {
        lock (_processes) _processes.Add(p);
        return p;
    }

    /// <summary>The last lines of every process's output (silos, Redis, Azurite), for failure messages.</summary>
    public string Diagnostics(int linesPerProcess = 60)
    {
        List<ChildProcess> processes;
        lock (_processes) processes = [.. _processes];
        var parts = processes.Select(p => p.Tail(linesPerProcess)).ToList();
        if (Redis is not null) parts.Add(Redis.Tail(10));
        if (Azurite is not null) parts.Add(Azurite.Tail(10));
        parts.Add($"(fixture time {_clock.Elapsed.TotalSeconds:F1} s; work folder {WorkDir})");
        return string.Join("\n", parts);
    }

    static async Task StopAsync(IHost host)
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        host.Dispose();
    }

    public async Task DisposeAsync()
    {
        List<IHost> clients;
        lock (_clients) clients = [.. _clients];
        // The silos go first: a client stopping against a grid that is still there is quick.
        List<ChildProcess> processes;
        lock (_processes) processes = [.. _processes];
        Parallel.ForEach(processes, p => p.Dispose());
        await Task.WhenAll(clients.Select(StopAsync));
        Redis?.Dispose();
        Azurite?.Dispose();
        _http.Dispose();
        try { Directory.Delete(WorkDir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
