using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RAE.Grid.Client;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Silo;

namespace RAE.Grid.Grid.Tests.Access;

/// <summary>
/// One real silo in this process, configured as <c>rae-grid serve</c> configures one (<see cref="GridSilo.ConfigureGrid"/>
/// with localhost clustering on free loopback TCP ports, every stage, the tiny random bundle), plus the
/// <paramref name="security"/> settings under test; clients connect through its gateway exactly as the CLI does
/// (<see cref="GridConnection"/>), each with its own credential.
/// </summary>
public sealed class SecuredGrid : IAsyncDisposable
{
    public const string ClusterId = "rae-access-test";

    private readonly List<IHost> _clients = new();

    private SecuredGrid(IHost silo, int gatewayPort, GridTestFolders folders) { Silo = silo; GatewayPort = gatewayPort; Folders = folders; }

    public IHost Silo { get; }
    public int GatewayPort { get; }
    public GridTestFolders Folders { get; }

    /// <summary>The silo's own grain factory (calls from inside the grid).</summary>
    public IGrainFactory SiloGrains => Silo.Services.GetRequiredService<IGrainFactory>();

    public static async Task<SecuredGrid> StartAsync(GridTestFolders folders, IReadOnlyDictionary<string, string?> security)
    {
        int gatewayPort = FreePort();
        var settings = new Dictionary<string, string?>(GridTestCluster.ConfigFor(new GridClusterSpec([StageNames.All]), folders, 0))
        {
            ["Cluster:Mode"] = "localhost",
            ["Cluster:ClusterId"] = ClusterId,
            ["Cluster:ServiceId"] = ClusterId,
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = gatewayPort.ToString(),
        };
        foreach (var (k, v) in security) settings[k] = v;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo => silo.ConfigureGrid(builder.Configuration, folders.Root));
        var host = builder.Build();
        await host.StartAsync();
        return new SecuredGrid(host, gatewayPort, folders);
    }

    /// <summary>A client of this grid connected through its gateway with <paramref name="credential"/> and <paramref name="tls"/>.</summary>
    public async Task<GridClient> ConnectAsync(ClientCredential? credential, ClientTls? tls = null)
    {
        var host = await Connection(credential, tls).ConnectAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        _clients.Add(host);
        return new GridClient(host.Services.GetRequiredService<IClusterClient>());
    }

    /// <summary>The raw Orleans client of a connection (to call grains a <see cref="GridClient"/> never calls).</summary>
    public async Task<IClusterClient> ConnectRawAsync(ClientCredential? credential)
    {
        var host = await Connection(credential, null).ConnectAsync();
        _clients.Add(host);
        return host.Services.GetRequiredService<IClusterClient>();
    }

    public GridConnection Connection(ClientCredential? credential, ClientTls? tls) =>
        new("localhost", GatewayPort, ClusterId: ClusterId, ServiceId: ClusterId) { Credential = credential, Tls = tls };

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
        {
            try { await c.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
            c.Dispose();
        }
        try { await Silo.StopAsync(TimeSpan.FromSeconds(30)); }
        finally { Silo.Dispose(); }
    }
}
