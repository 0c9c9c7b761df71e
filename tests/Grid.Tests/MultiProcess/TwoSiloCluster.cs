using System.Diagnostics;
using System.Text.Json;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.Storage;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A real two-silo grid on loopback, each part its own process: the cluster backend (membership, job state, reminders:
/// redis-server here, a PostgreSQL server in <see cref="PostgresTwoSiloCluster"/>),
/// Azurite (the blob output store), and two <c>rae-grid serve</c> silos with different stages — silo A hosts the encoder,
/// diffusion and verifier stages, silo B the decoder and text stages — so every item of every job crosses processes. Clients are further
/// <c>rae-grid</c> processes (<see cref="RunClientAsync"/>). Every wait is bounded by <see cref="Budget"/>, which
/// bounds the whole class's run; every process is killed on dispose, and <see cref="Diagnostics"/> shows what each printed.
/// </summary>
public class TwoSiloCluster : IAsyncLifetime
{
    /// <summary>The Redis-backed grid.</summary>
    public TwoSiloCluster() : this("redis") { }

    /// <summary>A grid on <paramref name="backend"/>: "redis" or "postgres" (Cluster.Mode of the silos, --cluster of the clients).</summary>
    protected TwoSiloCluster(string backend) => Backend = backend is "redis" or "postgres" ? backend
        : throw new ArgumentException($"unknown backend '{backend}'", nameof(backend));

    /// <summary>The cluster backend: "redis" or "postgres".</summary>
    public string Backend { get; }

    /// <summary>
    /// Longest the whole fixture plus its tests may take. Alone they take about 3.5 minutes on 2 cores; in the full
    /// suite, beside the in-process cluster tests on a machine shared with other work, 5 minutes ran out (observed: the
    /// large reconstruction's client finished in 149 s with the budget spent).
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMinutes(8);
    static readonly TimeSpan SiloStartTimeout = TimeSpan.FromSeconds(90);
    /// <summary>Longest build of the CLI when it is missing or stale (see <see cref="GridCli.EnsureBuiltAsync"/>).</summary>
    static readonly TimeSpan CliBuildTimeout = TimeSpan.FromSeconds(150);

    /// <summary>Silo A's stages: the image-to-latent and noise-to-latent stages, and the latent verifier beside diffusion.</summary>
    public static readonly string[] SiloAStages = ["encoder", "diffusion", "verifier"];
    /// <summary>
    /// Silo B's stages: the latent-to-image stage, so every item goes from A to B, and the text stage (prompt → condition
    /// tokens), so a prompted item's conditions go from B to A first.
    /// </summary>
    public static readonly string[] SiloBStages = ["decoder", "text"];

    /// <summary>The text-to-image bundle both silos also register (random weights).</summary>
    public const string TextToImageBundle = "tiny-t2i";

    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<ChildProcess> _processes = [];
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    RedisServer? _redis;
    PostgresServer? _postgres;
    AzuriteFixture? _azurite;

    /// <summary>What is left of <see cref="Budget"/>.</summary>
    public TimeSpan Remaining => Budget - _clock.Elapsed;

    /// <summary><paramref name="step"/>, or what is left of the budget if less (never negative).</summary>
    public TimeSpan Bound(TimeSpan step) => TimeSpan.FromTicks(Math.Max(0, Math.Min(step.Ticks, Remaining.Ticks)));

    public string Repo { get; private set; } = "";
    public string Cli { get; private set; } = "";
    /// <summary>Scratch folder of this fixture (inputs, fetched outputs, silo working folders); deleted on dispose.</summary>
    public string WorkDir { get; } = Directory.CreateTempSubdirectory("rae-multi-").FullName;
    public string RedisConnection => _redis!.ConnectionString;
    /// <summary>The backend's connection string (Redis's, or the PostgreSQL database's).</summary>
    public string BackendConnection => Backend == "postgres" ? _postgres!.ConnectionString : _redis!.ConnectionString;
    /// <summary>The blob container the silos write outputs to, read directly by the tests.</summary>
    public AzureBlobStore Store { get; private set; } = null!;
    public SiloProcess SiloA { get; private set; } = null!;
    public SiloProcess SiloB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            Repo = GridCli.RepositoryRoot();
            Cli = await GridCli.EnsureBuiltAsync(Repo, Bound(CliBuildTimeout));
            var bundle = Path.Combine(Repo, "bundles", "tiny", "bundle.json");
            if (!File.Exists(bundle)) throw new InvalidOperationException($"the default bundle is missing: {bundle}");

            // Both are synchronous, bounded starts; run them side by side.
            var redis = Task.Run(() => Backend == "redis" ? new RedisServer() : null);
            var postgres = Task.Run(() => Backend == "postgres" ? new PostgresServer() : null);
            var azurite = Task.Run(() => new AzuriteFixture());
            try { await Task.WhenAll(redis, postgres, azurite); }
            finally
            {
                if (redis.IsCompletedSuccessfully) _redis = redis.Result;
                if (postgres.IsCompletedSuccessfully) _postgres = postgres.Result;
                if (azurite.IsCompletedSuccessfully) _azurite = azurite.Result;
            }
            var container = "rae-multi-" + Guid.NewGuid().ToString("N")[..12];
            Store = await AzureBlobStore.CreateAsync(_azurite!.ConnectionString, container);

            var ports = Ports.FreeLoopbackPorts(6);
            SiloA = StartSilo("silo-a", SiloAStages, ports[0], ports[1], ports[2], bundle, container);
            SiloB = StartSilo("silo-b", SiloBStages, ports[3], ports[4], ports[5], bundle, container);
            await Task.WhenAll(SiloA.WaitHealthyAsync(_http, Bound(SiloStartTimeout)), SiloB.WaitHealthyAsync(_http, Bound(SiloStartTimeout)));
        }
        catch (Exception e)
        {
            throw new MultiProcessFailure($"the two-silo cluster did not start: {e.Message}", Diagnostics(), e);
        }
    }

    SiloProcess StartSilo(string name, string[] stages, int siloPort, int gatewayPort, int healthPort, string bundle, string container)
    {
        var env = CleanEnvironment();
        env["RAEGRID_Cluster__Mode"] = Backend;
        env[Backend == "postgres" ? "RAEGRID_Cluster__Postgres" : "RAEGRID_Cluster__Redis"] = BackendConnection;
        env["RAEGRID_Cluster__SiloPort"] = siloPort.ToString();
        env["RAEGRID_Cluster__GatewayPort"] = gatewayPort.ToString();
        env["RAEGRID_State__Kind"] = Backend;
        env["RAEGRID_OutputStore__Kind"] = OutputStoreOptions.AzureBlobKind;
        env["RAEGRID_OutputStore__ConnectionString"] = _azurite!.ConnectionString;
        env["RAEGRID_OutputStore__Container"] = container;
        env["RAEGRID_Grid__Bundles__tiny"] = bundle;
        env[$"RAEGRID_Grid__Bundles__{TextToImageBundle}"] = Path.Combine(Repo, "bundles", TextToImageBundle, "bundle.json");
        for (var i = 0; i < stages.Length; i++) env[$"RAEGRID_Grid__Stages__{i}"] = stages[i];
        env["RAEGRID_Health__Port"] = healthPort.ToString();
        // One line per log entry, so the tails in failure messages read well.
        env["RAEGRID_Logging__Console__FormatterName"] = "simple";
        env["RAEGRID_Logging__Console__FormatterOptions__SingleLine"] = "true";
        env["RAEGRID_Logging__LogLevel__Polly"] = "Warning";
        var dir = Directory.CreateDirectory(Path.Combine(WorkDir, name)).FullName;
        var process = Track(ChildProcess.Start(name, GridCli.DotnetHost(), [Cli, "serve"], dir, env));
        return new SiloProcess(name, process, stages, siloPort, gatewayPort, healthPort);
    }

    /// <summary>A silo's /healthz document (stages, bundles, batching statistics).</summary>
    public async Task<JsonDocument> HealthAsync(SiloProcess silo)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{silo.HealthPort}/healthz");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Items a silo's stage of <paramref name="bundle"/> has run so far (from /healthz batching statistics; 0 before its first batch).</summary>
    public async Task<long> StageItemsAsync(SiloProcess silo, string stage, string bundle = "tiny")
    {
        using var health = await HealthAsync(silo);
        return health.RootElement.GetProperty("batching").TryGetProperty($"{stage}/{bundle}", out var s) ? s.GetProperty("items").GetInt64() : 0;
    }

    /// <summary>
    /// Runs <c>rae-grid &lt;args&gt; --cluster &lt;backend&gt; --&lt;backend&gt; &lt;its connection&gt;</c> as a separate client process and waits
    /// (bounded) for it to exit. Returns the process (for its output) and its exit code (null when it timed out and was killed).
    /// </summary>
    public async Task<(ChildProcess Process, int? ExitCode)> RunClientAsync(string name, TimeSpan timeout, params string[] args)
    {
        var dir = Directory.CreateDirectory(Path.Combine(WorkDir, name)).FullName;
        var env = CleanEnvironment();
        env["NO_COLOR"] = "1";
        var process = Track(ChildProcess.Start(name, GridCli.DotnetHost(), [Cli, .. args, "--cluster", Backend, "--" + Backend, BackendConnection], dir, env));
        var code = await process.WaitForExitAsync(Bound(timeout));
        if (code is null) process.Kill();
        return (process, code);
    }

    ChildProcess Track(ChildProcess p)
    {
        lock (_processes) _processes.Add(p);
        return p;
    }

    // This process's RAEGRID_ variables (a developer's shell may have some) would leak into the children: remove them.
    static Dictionary<string, string?> CleanEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("RAEGRID_", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, _ => (string?)null);

    /// <summary>The last lines of every process's output (clients, silos, Redis, Azurite), for failure messages.</summary>
    public string Diagnostics(int linesPerProcess = 80)
    {
        List<ChildProcess> processes;
        lock (_processes) processes = [.. _processes];
        var parts = processes.Select(p => p.Tail(linesPerProcess)).ToList();
        if (_redis is not null) parts.Add(_redis.Tail(10));
        if (_postgres is not null) parts.Add(_postgres.Tail(10));
        if (_azurite is not null) parts.Add("----- azurite\n" + string.Join('\n', _azurite.Output.Split('\n').TakeLast(10)));
        parts.Add($"(fixture time {_clock.Elapsed.TotalSeconds:F1} s of a {Budget.TotalSeconds:0} s budget; work folder {WorkDir})");
        return string.Join("\n", parts);
    }

    public Task DisposeAsync()
    {
        // Clients and silos first, then the services they use.
        List<ChildProcess> processes;
        lock (_processes) processes = [.. _processes];
        Parallel.ForEach(processes, p => p.Dispose());
        _redis?.Dispose();
        _postgres?.Dispose();
        _azurite?.Dispose();
        _http.Dispose();
        try { Directory.Delete(WorkDir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}

/// <summary>A multi-process test failure: the message, then what every process printed.</summary>
public sealed class MultiProcessFailure(string message, string diagnostics, Exception? inner = null)
    : Exception($"{message}\n\n===== process output =====\n{diagnostics}", inner);
