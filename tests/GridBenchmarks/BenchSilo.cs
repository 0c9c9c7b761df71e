using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RAE.Grid.Client;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Silo;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// A real silo in this process, configured exactly as the grid's host does (<see cref="GridSilo.ConfigureGrid"/>):
/// localhost clustering on free loopback TCP ports (a second silo joins the first through its silo port), job state in
/// memory, a local output store under a temp folder, the bundle registered as <see cref="BundleId"/>.
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    public const string ClusterId = "rae-bench";
    public const string BundleId = "bench";

    public IHost Host { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public SiloAddress Address => Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
    /// <summary>The silo's own grain factory: calls from it leave this silo like a grain's calls do.</summary>
    public IGrainFactory Grains => Host.Services.GetRequiredService<IGrainFactory>();
    public StageRuntime Stages => Host.Services.GetRequiredService<StageRuntime>();

    private BenchSilo(IHost host, int siloPort, int gatewayPort) { Host = host; SiloPort = siloPort; GatewayPort = gatewayPort; }

    /// <summary>What a benchmark silo hosts and how it batches.</summary>
    public sealed record Spec(string Root, string? BundlePath, string[] Stages, int MaxBatch = 8, int MaxWaitMs = 10,
        int? PrimarySiloPort = null, int MaxInFlightItems = 32, string StateKind = "memory",
        IReadOnlyDictionary<string, string?>? Extra = null);

    public static async Task<BenchSilo> StartAsync(Spec spec)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Mode"] = "localhost",
            ["Cluster:ClusterId"] = ClusterId,
            ["Cluster:ServiceId"] = ClusterId,
            ["Cluster:SiloPort"] = siloPort.ToString(),
            ["Cluster:GatewayPort"] = gatewayPort.ToString(),
            ["Cluster:PrimarySiloPort"] = spec.PrimarySiloPort?.ToString(),
            ["State:Kind"] = spec.StateKind,
            ["State:LocalPath"] = Path.Combine(spec.Root, "state"),
            ["OutputStore:Kind"] = "local",
            ["OutputStore:LocalPath"] = Path.Combine(spec.Root, "store"),
            ["Grid:Device"] = "cpu",
            ["Grid:Pipeline:MaxInFlightItems"] = spec.MaxInFlightItems.ToString(),
        };
        if (spec.Stages.Length == 0) settings["Grid:Stages"] = "";
        for (int i = 0; i < spec.Stages.Length; i++) settings[$"Grid:Stages:{i}"] = spec.Stages[i];
        if (spec.BundlePath is { } bundle) settings[$"Grid:Bundles:{BundleId}"] = bundle;
        foreach (var stage in spec.Stages)
        {
            settings[$"Grid:Batching:{stage}:MaxBatch"] = spec.MaxBatch.ToString();
            settings[$"Grid:Batching:{stage}:MaxWaitMs"] = spec.MaxWaitMs.ToString();
            settings[$"Grid:Batching:{stage}:QueueCapacity"] = "4096";
        }

        foreach (var (key, value) in spec.Extra ?? new Dictionary<string, string?>()) settings[key] = value;

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        // Warnings and errors while running; nothing once shutdown starts (job grains of the in-memory state store
        // complain there that the storage grain is already gone, which says nothing about the measurements).
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter((category, level) => !_stopping && level >= (category?.StartsWith("Orleans") == true ? LogLevel.Error : LogLevel.Warning));
        builder.UseOrleans(silo => silo.ConfigureGrid(builder.Configuration, spec.Root));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, siloPort, gatewayPort);
    }

    /// <summary>An external client connected through this silo's gateway (loopback TCP); dispose it to disconnect.</summary>
    public async Task<BenchClient> ConnectClientAsync() =>
        new(await new GridConnection("localhost", GatewayPort, ClusterId: ClusterId, ServiceId: ClusterId).ConnectAsync());

    /// <summary>(batches, items) run so far by <paramref name="stage"/> of the benchmark bundle on this silo.</summary>
    public (long Batches, long Items) StageCounts(string stage) =>
        Stages.Statistics.TryGetValue($"{stage}/{BundleId}", out var s) ? s : (0, 0);

    /// <summary>Waits (60 s at most) until each silo sees every other as active: before a call is placed across them.</summary>
    public static async Task WaitForMembersAsync(BenchSilo[] silos)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var ready = silos.All(s =>
            {
                var snapshot = s.Host.Services.GetService(typeof(IClusterMembershipService)) is IClusterMembershipService m ? m.CurrentSnapshot : null;
                return snapshot is not null && silos.All(other =>
                    snapshot.Members.TryGetValue(other.Address, out var member) && member.Status == SiloStatus.Active);
            });
            if (ready) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the {silos.Length} benchmark silos did not see each other as active within 60 s");
            await Task.Delay(100);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static volatile bool _stopping;

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        try { await Host.StopAsync(TimeSpan.FromSeconds(30)); }
        finally { Host.Dispose(); }
    }
}

/// <summary>A connected external client; disposing stops it cleanly (before the silo goes).</summary>
public sealed class BenchClient(IHost host) : IAsyncDisposable
{
    public IClusterClient Cluster { get; } = host.Services.GetRequiredService<IClusterClient>();

    public async ValueTask DisposeAsync()
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(10)); }
        finally { host.Dispose(); }
    }
}
