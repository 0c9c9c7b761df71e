using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Silo;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// What a test cluster looks like: the stages each silo hosts (one entry per silo), where job state and outputs live,
/// and any extra configuration keys every silo gets (e.g. "Grid:Batching:encoder:MaxWaitMs").
/// </summary>
public sealed record GridClusterSpec(string[][] SiloStages)
{
    /// <summary>"memory" or "local" (files under <see cref="GridTestCluster.StatePath"/>).</summary>
    public string StateKind { get; init; } = "memory";

    /// <summary>Extra configuration for every silo.</summary>
    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// Folders a test cluster works in: a random-weight bundle ("tiny", made by <see cref="Models.Bundles.RandomBundle"/>),
/// the output store shared by every silo, and the job-state folder. Kept apart from the cluster so a second cluster can
/// be started on the same folders (restart tests). Deleted on dispose.
/// </summary>
public sealed class GridTestFolders : IDisposable
{
    public const string BundleId = "tiny";

    public GridTestFolders(long bundleSeed = 0)
    {
        Root = Directory.CreateTempSubdirectory("rae-grid-cluster-").FullName;
        BundlePath = Models.Bundles.RandomBundle.Create(Path.Combine(Root, "bundle"), bundleSeed);
        StorePath = Path.Combine(Root, "store");
        StatePath = Path.Combine(Root, "state");
        Directory.CreateDirectory(StorePath);
    }

    public string Root { get; }
    public string BundlePath { get; }
    public string StorePath { get; }
    public string StatePath { get; }

    /// <summary>The store the silos write, opened directly (same folder).</summary>
    public LocalDirectoryStore Store => new(StorePath);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// An in-process Orleans cluster of grid silos (<see cref="InProcessTestClusterBuilder"/>), each configured by
/// <see cref="GridSilo.ConfigureGrid"/> from an in-memory configuration — the same path the real silo host takes,
/// except that the test cluster owns membership (clustering: false). Silo i hosts <c>spec.SiloStages[i]</c>.
/// Start-up waits until every silo's <see cref="StageDirectory"/> sees every stage host, so jobs are not rejected
/// for lack of (not yet gossiped) silo metadata.
/// </summary>
public sealed class GridTestCluster : IAsyncDisposable
{
    static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    private GridTestCluster(InProcessTestCluster cluster, GridTestFolders folders, GridClusterSpec spec, TestLog log)
    {
        Cluster = cluster; Folders = folders; Spec = spec; Log = log;
    }

    public InProcessTestCluster Cluster { get; }
    public GridTestFolders Folders { get; }
    public GridClusterSpec Spec { get; }
    /// <summary>Log lines of every silo and the client (recent ones), for failure messages.</summary>
    public TestLog Log { get; }
    public IClusterClient Client => Cluster.Client;

    /// <summary>The configuration silo <paramref name="index"/> is started with.</summary>
    public static Dictionary<string, string?> ConfigFor(GridClusterSpec spec, GridTestFolders folders, int index)
    {
        var config = new Dictionary<string, string?>
        {
            [$"Grid:Bundles:{GridTestFolders.BundleId}"] = folders.BundlePath,
            ["Grid:Device"] = "cpu",
            ["State:Kind"] = spec.StateKind,
            ["State:LocalPath"] = folders.StatePath,
            ["OutputStore:Kind"] = "local",
            ["OutputStore:LocalPath"] = folders.StorePath,
            ["Health:Port"] = "0",
        };
        var stages = spec.SiloStages[index];
        if (stages.Length == 0) config["Grid:Stages"] = "none";
        for (int i = 0; i < stages.Length; i++) config[$"Grid:Stages:{i}"] = stages[i];
        foreach (var (k, v) in spec.Extra) config[k] = v;
        return config;
    }

    /// <summary>Builds, deploys and waits for a cluster of <c>spec.SiloStages.Length</c> silos over <paramref name="folders"/>.</summary>
    public static async Task<GridTestCluster> StartAsync(GridClusterSpec spec, GridTestFolders folders)
    {
        var log = new TestLog();
        var builder = new InProcessTestClusterBuilder((short)spec.SiloStages.Length);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHost(host =>
        {
            host.Logging.ClearProviders();
            host.Logging.AddProvider(log);
            host.Logging.SetMinimumLevel(LogLevel.Information);
            host.Logging.AddFilter("Orleans", LogLevel.Warning);
            host.Logging.AddFilter("Microsoft", LogLevel.Warning);
            host.Logging.AddFilter("Polly", LogLevel.Warning);
        });
        builder.ConfigureSilo((options, silo) =>
        {
            var index = SiloIndex(options.SiloName);
            var config = new ConfigurationBuilder().AddInMemoryCollection(ConfigFor(spec, folders, index)).Build();
            silo.ConfigureGrid(config, folders.Root, clustering: false);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var grid = new GridTestCluster(cluster, folders, spec, log);
            await grid.WaitForStageDirectoriesAsync();
            return grid;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>"Silo_3" → 3 (the test cluster names silos by instance number).</summary>
    public static int SiloIndex(string siloName) => int.Parse(siloName[(siloName.LastIndexOf('_') + 1)..]);

    /// <summary>The running silo started as number <paramref name="index"/>.</summary>
    public InProcessSiloHandle Silo(int index) => Cluster.Silos.Single(s => SiloIndex(s.Name) == index);

    /// <summary>Silo <paramref name="index"/>'s stage engines (batching statistics per stage).</summary>
    public StageRuntime Stages(int index) => Silo(index).ServiceProvider.GetRequiredService<StageRuntime>();

    /// <summary>Items silo <paramref name="index"/> has run through <paramref name="stage"/> of the tiny bundle so far.</summary>
    public long ItemsRun(int index, string stage) =>
        Stages(index).Statistics.TryGetValue($"{stage}/{GridTestFolders.BundleId}", out var s) ? s.Items : 0;

    /// <summary>Items run per (silo, stage), to compare before and after a job.</summary>
    public Dictionary<(int Silo, string Stage), long> ItemsRunSnapshot() =>
        Enumerable.Range(0, Spec.SiloStages.Length)
            .SelectMany(i => StageNames.All.Select(s => ((i, s), ItemsRun(i, s))))
            .ToDictionary(x => x.Item1, x => x.Item2);

    private async Task WaitForStageDirectoriesAsync()
    {
        var expected = StageNames.All.ToDictionary(s => s,
            s => Spec.SiloStages.Count(stages => stages.Contains(s, StringComparer.OrdinalIgnoreCase)));
        var deadline = DateTime.UtcNow + StartupDeadline;
        while (true)
        {
            var views = Cluster.Silos.Select(h => h.ServiceProvider.GetRequiredService<StageDirectory>()).ToList();
            if (views.All(d => expected.All(kv => d.SilosHosting(kv.Key, GridTestFolders.BundleId).Count == kv.Value))) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"silos did not see every stage host within {StartupDeadline}:\n{Log.Tail()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls the job's status until it is finished, failing with the last status and the log past the deadline.</summary>
    public async Task<JobStatus> WaitForJobAsync(string jobId, TimeSpan deadline)
    {
        var job = Client.GetGrain<IJobGrain>(jobId);
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var status = await job.GetStatus();
            if (status.IsFinished) return status;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"job {jobId} not finished after {deadline}: {Describe(status)}\n{Log.Tail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A one-line summary of a status for messages.</summary>
    public static string Describe(JobStatus s) =>
        $"{s.State} total {s.Total} pending {s.Pending} in flight {s.InFlight} done {s.Done} failed {s.Failed} cancelled {s.Cancelled}" +
        (s.Message is null ? "" : $" ({s.Message})") + string.Concat(s.Errors.Select(e => $"\n  item {e.Index} {e.Input}: {e.Message}"));

    public async ValueTask DisposeAsync()
    {
        try { await Cluster.StopAllSilosAsync(); }
        finally { await Cluster.DisposeAsync(); }
    }
}

/// <summary>Keeps the most recent log lines of a test cluster in memory.</summary>
public sealed class TestLog : ILoggerProvider
{
    const int MaxLines = 4000;
    private readonly ConcurrentQueue<string> _lines = new();

    public void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _)) { }
    }

    /// <summary>The last <paramref name="count"/> lines.</summary>
    public string Tail(int count = 200) => string.Join("\n", _lines.ToArray().TakeLast(count));

    /// <summary>Lines containing <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Matching(string text) => _lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {shortCategory}: {formatter(state, exception)}" +
                    (exception is null ? "" : logLevel >= LogLevel.Error ? $" | {exception}" : $" | {exception.GetType().Name}: {exception.Message}"));
        }
    }
}
