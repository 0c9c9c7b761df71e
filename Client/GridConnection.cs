using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace RAE.Grid.Client;

/// <summary>
/// How a client reaches a cluster: a localhost gateway, or Redis or PostgreSQL membership (the same Redis or database the
/// silos use: Mode "redis" or "postgres"); with a
/// <see cref="Credential"/> sent on every call and <see cref="Tls"/> when the silos serve TLS.
/// </summary>
public sealed record GridConnection(string Mode = "localhost", int GatewayPort = 30000, string? Redis = null,
    string ClusterId = "rae-grid", string ServiceId = "rae-grid")
{
    /// <summary>The client's credential (null: none, for a grid that asks for none).</summary>
    public ClientCredential? Credential { get; init; }

    /// <summary>Npgsql connection string of the silos' membership database, for Mode "postgres".</summary>
    public string? Postgres { get; init; }

    /// <summary>TLS to the gateways (null: plain TCP).</summary>
    public ClientTls? Tls { get; init; }

    /// <summary>Starts a connected client host; dispose it to disconnect.</summary>
    public async Task<IHost> ConnectAsync(CancellationToken cancellation = default)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>(); // signals are the program's, not this client's
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
            if (string.Equals(Mode, "redis", StringComparison.OrdinalIgnoreCase))
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(
                    Redis ?? throw new ArgumentException("a redis connection needs --redis <connection string>")));
            else if (string.Equals(Mode, "postgres", StringComparison.OrdinalIgnoreCase))
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql"; // Orleans maps it to Npgsql.NpgsqlFactory (the Npgsql package)
                    o.ConnectionString = Postgres ?? throw new ArgumentException("a postgres connection needs --postgres <connection string>");
                });
            else
                client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, GatewayPort));
            if (Credential is { } credential) client.AddOutgoingGrainCallFilter(new ClientCredentialFilter(credential));
            if (Tls is { } tls) client.UseTls(tls.Apply);
        });
        var host = builder.Build();
        try { await host.StartAsync(cancellation); }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }
}
