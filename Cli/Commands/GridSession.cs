using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RAE.Grid.Client;
using RAE.Grid.Silo;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>A connected grid client, backed by an embedded silo or a client connection; disposing it shuts that down.</summary>
internal sealed class GridSession(IHost host, GridClient client, string bundleId, bool embedded, string? stateDir = null) : IAsyncDisposable
{
    /// <summary>How long a client's shutdown may take after Ctrl-C/SIGTERM: the user asked to stop now.</summary>
    static readonly TimeSpan StopAfterSignal = TimeSpan.FromSeconds(3);

    /// <summary>The embedded silo's state folder, as given (null for a cluster client).</summary>
    public string? StateDir { get; } = stateDir;

    public GridClient Client { get; } = client;
    /// <summary>The bundle id to submit jobs with (a path given to --local is registered under an id).</summary>
    public string BundleId { get; } = bundleId;
    public bool Embedded { get; } = embedded;

    public static async Task<GridSession> ConnectAsync(GridConnection connection, string bundleId)
    {
        var host = await connection.ConnectAsync();
        return new GridSession(host, new GridClient(host.Services.GetRequiredService<IClusterClient>()), bundleId, false);
    }

    /// <summary>
    /// Starts a one-process grid: a silo hosting every stage on this machine, job state and outputs under
    /// <paramref name="stateDir"/> (so an interrupted job resumes on the next run), the repository's bundles under
    /// their folder names ("fashion-mnist", "tiny"), and <paramref name="bundle"/> too when it is a path to a bundle JSON
    /// or to a folder holding one.
    /// </summary>
    public static async Task<GridSession> EmbeddedAsync(string bundle, string? device, string stateDir)
    {
        var bundles = new Dictionary<string, string>(CommonOptions.RepositoryBundles());
        // A bundle folder means its bundle.json, as for eval: otherwise the path would be taken for a registry id and the
        // job refused with "no active silo hosts the ... stage".
        if (!bundles.ContainsKey(bundle)) bundle = CommonOptions.BundleJsonOf(bundle);
        var id = bundle;
        if (bundle.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(bundle))
        {
            if (!File.Exists(bundle)) throw new FileNotFoundException($"bundle file not found: {bundle}", bundle);
            id = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(bundle))!).Name.Replace('@', '_');
            bundles[id] = Path.GetFullPath(bundle);
        }
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Mode"] = "localhost",
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = FreePort().ToString(),
            ["Cluster:ClusterId"] = "rae-local",
            ["State:Kind"] = "local",
            ["State:LocalPath"] = Path.Combine(stateDir, "state"),
            ["OutputStore:Kind"] = "local",
            ["OutputStore:LocalPath"] = Path.Combine(stateDir, "store"),
            ["Grid:Device"] = device ?? "cpu",
        };
        foreach (var (k, v) in bundles) settings[$"Grid:Bundles:{k}"] = v;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>(); // Ctrl-C/SIGTERM are the command's (see StopSignal)
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo => silo.ConfigureGrid(builder.Configuration, Directory.GetCurrentDirectory()));
        var host = builder.Build();
        AnsiConsole.MarkupLineInterpolated($"[grey]embedded silo (local mode): state and store under {Path.GetFullPath(stateDir)}[/]");
        await host.StartAsync();
        return new GridSession(host, new GridClient(host.Services.GetRequiredService<IClusterClient>()), id, true, stateDir);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // After Ctrl-C/SIGTERM an embedded silo ends with the process, as a crash would: its job's partitions resume from
        // their last checkpoint on the next run. Stopping it gracefully would first finish the running batches (minutes),
        // and cutting that short disposes models under them, failing their items for good; so the stages halt (the
        // running batch stops at its next step, unanswered) and the process ends here, skipping native teardown.
        if (Embedded && StopSignal.Received)
        {
            await host.Services.GetRequiredService<Grains.Stages.StageRuntime>().HaltAsync(StopAfterSignal);
            StopSignal.ExitNow();
        }
        try { await host.StopAsync(StopSignal.Received ? StopAfterSignal : TimeSpan.FromSeconds(30)); }
        finally { host.Dispose(); }
    }
}
