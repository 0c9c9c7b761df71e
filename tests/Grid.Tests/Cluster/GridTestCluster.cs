using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;
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

    /// <summary>Extra configuration for one silo (by number), applied after <see cref="Extra"/>.</summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<string, string?>> SiloExtra { get; init; } =
        new Dictionary<int, IReadOnlyDictionary<string, string?>>();

    /// <summary>
    /// Silos started with the cluster (null: all of <see cref="SiloStages"/>); the others are described here so that
    /// <see cref="GridTestCluster.JoinSiloAsync"/> can start them later, configured like the rest.
    /// </summary>
    public int? InitialSilos { get; init; }
}

/// <summary>
/// Folders a test cluster works in: a random-weight bundle ("tiny", made by <see cref="Models.Bundles.Writers.RandomBundle"/>),
/// the output store shared by every silo, and the job-state folder. Kept apart from the cluster so a second cluster can
/// be started on the same folders (restart tests). Deleted on dispose.
/// </summary>
public sealed class GridTestFolders : IDisposable
{
    public const string BundleId = "tiny";
    /// <summary>The same weights under a bundle file whose guidance interval is narrower (see <see cref="IntervalBundlePath"/>).</summary>
    public const string IntervalBundleId = "tiny-interval";

    public GridTestFolders(long bundleSeed = 0)
    {
        Root = Directory.CreateTempSubdirectory("rae-grid-cluster-").FullName;
        BundlePath = Models.Bundles.Writers.RandomBundle.Create(Path.Combine(Root, "bundle"), bundleSeed);
        // Default guidance: AutoGuidance 1.42 on t in [0.2, 0.7] (the tiny bundle's interval is the whole [0, 1]).
        var bundle = Models.Bundles.RaeBundle.Load(BundlePath);
        IntervalBundlePath = Path.Combine(Root, "bundle", "bundle-interval.json");
        (bundle with { Guidance = bundle.Guidance with { TMin = 0.2, TMax = 0.7 } }).Save(IntervalBundlePath);
        StorePath = Path.Combine(Root, "store");
        StatePath = Path.Combine(Root, "state");
        Directory.CreateDirectory(StorePath);
    }

    public string Root { get; }
    public string BundlePath { get; }
    public string IntervalBundlePath { get; }
    public string StorePath { get; }
    public string StatePath { get; }

    /// <summary>The store the silos write, opened directly (same folder).</summary>
    public LocalDirectoryStore Store => new(StorePath);

    /// <summary>
    /// The item outputs of a reconstruct job under <paramref name="prefix"/> (images named "img-NN.png" by
    /// <see cref="TestInputs.RandomPngs"/>; not its inputs, manifest or contact sheet) and their last write times.
    /// </summary>
    public Dictionary<string, DateTime> OutputTimes(string prefix)
    {
        var dir = Path.GetDirectoryName(Store.PathOf(prefix + "/x"))!;
        if (!Directory.Exists(dir)) return new();
        return Directory.GetFiles(dir, "*_img-*.png").ToDictionary(f => Path.GetFileName(f)!, File.GetLastWriteTimeUtc);
    }

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

    /// <summary>
    /// A running silo's own grain factory: calls from it come from inside the grid, as a grain's do. Silo-internal grains
    /// (stages, partitions, the index's bookkeeping) answer only these; <see cref="Client"/>, an external client, is refused.
    /// </summary>
    public IGrainFactory SiloGrains => Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>The configuration silo <paramref name="index"/> is started with.</summary>
    public static Dictionary<string, string?> ConfigFor(GridClusterSpec spec, GridTestFolders folders, int index)
    {
        var config = new Dictionary<string, string?>
        {
            [$"Grid:Bundles:{GridTestFolders.BundleId}"] = folders.BundlePath,
            [$"Grid:Bundles:{GridTestFolders.IntervalBundleId}"] = folders.IntervalBundlePath,
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
        if (spec.SiloExtra.TryGetValue(index, out var own))
            foreach (var (k, v) in own) config[k] = v;
        return config;
    }

    /// <summary>Builds, deploys and waits for a cluster of <c>spec.SiloStages.Length</c> silos over <paramref name="folders"/>.</summary>
    public static async Task<GridTestCluster> StartAsync(GridClusterSpec spec, GridTestFolders folders)
    {
        var log = new TestLog();
        var builder = new InProcessTestClusterBuilder((short)(spec.InitialSilos ?? spec.SiloStages.Length));
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
            if (index >= spec.SiloStages.Length)
                throw new InvalidOperationException($"silo {options.SiloName}: the spec describes only {spec.SiloStages.Length} silos");
            var config = new ConfigurationBuilder().AddInMemoryCollection(ConfigFor(spec, folders, index)).Build();
            silo.ConfigureGrid(config, folders.Root, clustering: false);
            // Test-only observer: counts the stage calls each silo is serving, so a test can stop a silo while it has work.
            silo.Services.AddSingleton<StageCallTracker>();
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<StageCallTracker>());
            silo.Services.AddSingleton<SlowLeave>();
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SlowLeave>());
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

    /// <summary>The number of the running silo at <paramref name="address"/>.</summary>
    public int SiloIndexOf(SiloAddress address) => SiloIndex(Cluster.Silos.Single(s => s.SiloAddress.Equals(address)).Name);

    // Stage engines by silo number, kept after a silo stops so its statistics stay readable.
    private readonly ConcurrentDictionary<int, StageRuntime> _runtimes = new();

    /// <summary>Silo <paramref name="index"/>'s stage engines (batching statistics per stage), also after it stopped.</summary>
    public StageRuntime Stages(int index) =>
        _runtimes.GetOrAdd(index, i => Silo(i).ServiceProvider.GetRequiredService<StageRuntime>());

    /// <summary>Items silo <paramref name="index"/> has run through <paramref name="stage"/> of the tiny bundle so far (0 if it never ran).</summary>
    public long ItemsRun(int index, string stage, string bundle = GridTestFolders.BundleId)
    {
        if (!_runtimes.ContainsKey(index) && !Cluster.Silos.Any(s => SiloIndex(s.Name) == index)) return 0;
        return Stages(index).Statistics.TryGetValue($"{stage}/{bundle}", out var s) ? s.Items : 0;
    }

    /// <summary>Items run per (silo, stage), to compare before and after a job.</summary>
    public Dictionary<(int Silo, string Stage), long> ItemsRunSnapshot() =>
        Enumerable.Range(0, Spec.SiloStages.Length)
            .SelectMany(i => StageNames.All.Select(s => ((i, s), ItemsRun(i, s))))
            .ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>Items run through <paramref name="stage"/> by every silo, running or gone.</summary>
    public long ItemsRunByAll(string stage, string bundle = GridTestFolders.BundleId) =>
        Enumerable.Range(0, Spec.SiloStages.Length).Sum(i => ItemsRun(i, stage, bundle));

    /// <summary>The stage calls silo <paramref name="index"/> is serving (a count, and a switch to simulate a crash).</summary>
    public StageCallTracker StageCalls(int index) => Silo(index).ServiceProvider.GetRequiredService<StageCallTracker>();

    /// <summary>Silo <paramref name="index"/>'s stop delay (a slow drain: see <see cref="SlowLeave"/>).</summary>
    public SlowLeave SlowLeave(int index) => Silo(index).ServiceProvider.GetRequiredService<SlowLeave>();

    /// <summary>The activation of <paramref name="grain"/> (its silo and activation id), or null if it is not active anywhere.</summary>
    public GrainAddress? ActivationOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address : null;

    /// <summary>
    /// Starts the next silo of the spec (a scale-out: the running silos are not touched) and waits until every running
    /// silo sees its stages. Returns its number.
    /// </summary>
    public async Task<int> JoinSiloAsync()
    {
        var handle = await Cluster.StartAdditionalSiloAsync();
        var index = SiloIndex(handle.Name);
        Stages(index);
        await WaitForStageDirectoriesAsync();
        return index;
    }

    /// <summary>Kills silo <paramref name="index"/> (no graceful shutdown: a crash), keeping its statistics readable.</summary>
    public async Task KillSiloAsync(int index)
    {
        Stages(index);
        await Cluster.KillSiloAsync(Silo(index));
    }

    /// <summary>Stops silo <paramref name="index"/> gracefully (a scale-in), keeping its statistics readable.</summary>
    public async Task StopSiloAsync(int index)
    {
        Stages(index);
        await Cluster.StopSiloAsync(Silo(index));
    }

    /// <summary>Waits until every running silo's <see cref="StageDirectory"/> sees exactly the running silos' stage hosts.</summary>
    private async Task WaitForStageDirectoriesAsync()
    {
        var deadline = DateTime.UtcNow + StartupDeadline;
        while (true)
        {
            var silos = Cluster.Silos;
            foreach (var s in silos) Stages(SiloIndex(s.Name));
            var running = silos.Select(s => Spec.SiloStages[SiloIndex(s.Name)]).ToList();
            var expected = StageNames.All.ToDictionary(s => s, s => running.Count(stages => stages.Contains(s, StringComparer.OrdinalIgnoreCase)));
            var views = silos.Select(h => h.ServiceProvider.GetRequiredService<StageDirectory>()).ToList();
            if (views.All(d => expected.All(kv => d.SilosHosting(kv.Key, GridTestFolders.BundleId).Count == kv.Value))) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"silos did not see every stage host within {StartupDeadline}:\n{Log.Tail()}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Polls the job's status until it is finished, failing with the last status and the log past the deadline. Retryable
    /// errors (a silo that left, a timeout) are tolerated while the grid recovers; they show in the failure message.
    /// </summary>
    public Task<JobStatus> WaitForJobAsync(string jobId, TimeSpan deadline) => WaitForStatusAsync(jobId, s => s.IsFinished, "finished", deadline);

    /// <summary>Polls the job's status until <paramref name="until"/> holds (see <see cref="WaitForJobAsync"/>).</summary>
    public async Task<JobStatus> WaitForStatusAsync(string jobId, Func<JobStatus, bool> until, string what, TimeSpan deadline)
    {
        var job = Client.GetGrain<IJobGrain>(jobId);
        var end = DateTime.UtcNow + deadline;
        JobStatus? status = null;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                status = await job.GetStatus();
                if (until(status)) return status;
            }
            catch (Exception e) when (RetryPolicy.IsRetryable(e)) { lastError = e; }
            if (DateTime.UtcNow > end)
                throw new TimeoutException($"job {jobId} not {what} after {deadline}: " +
                    (status is null ? "no status" : Describe(status)) +
                    (lastError is null ? "" : $"\nlast error: {lastError.GetType().Name}: {lastError.Message}") + $"\n{Log.Tail()}");
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

/// <summary>
/// Counts the stage grain calls a silo is serving (an incoming call filter; test-only, it only observes until told to
/// hang). Lets a test stop a silo at a moment it holds in-flight items, and simulate a crash: after <see cref="Hang"/>
/// the silo answers no stage call any more — neither those in flight nor new ones — as a dead process would not.
/// </summary>
public sealed class StageCallTracker : IIncomingGrainCallFilter
{
    private readonly TaskCompletionSource _never = new();
    private volatile bool _hanging;
    private int _inFlight;

    /// <summary>
    /// Items being served now (including those held by <see cref="Hang"/>): stage calls, not counting a routed item's
    /// decoder hop (<c>DecodeToStore</c>), which a stage makes on behalf of a call already counted — one item, one retry.
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>From now on, withhold every stage call's answer (the silo is about to be killed).</summary>
    public void Hang() => _hanging = true;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is not (EncoderStageGrain or DecoderStageGrain or DiffusionStageGrain))
        {
            await context.Invoke();
            return;
        }
        var counted = context.MethodName != nameof(IDecoderStageGrain.DecodeToStore);
        if (counted) Interlocked.Increment(ref _inFlight);
        try
        {
            if (!_hanging) await context.Invoke();
            if (_hanging) await _never.Task;
        }
        finally { if (counted) Interlocked.Decrement(ref _inFlight); }
    }
}

/// <summary>
/// Test-only: on a graceful stop, holds the silo's Active stage for <see cref="Delay"/> — the stage at which the grid
/// drains its stages — as a slow model's last batches would. Meanwhile the silo is still Active in the membership (it
/// becomes ShuttingDown only after this stage), so callers still pick it, and its draining stages turn them away.
/// </summary>
public sealed class SlowLeave : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a graceful stop waits at the Active stage (zero: no wait).</summary>
    public TimeSpan Delay { get; set; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SlowLeave), ServiceLifecycleStage.Active, _ => Task.CompletedTask,
            async ct => { if (Delay > TimeSpan.Zero && !ct.IsCancellationRequested) await Task.Delay(Delay, CancellationToken.None); });
}
