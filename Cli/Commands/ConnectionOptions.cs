using System.CommandLine;

namespace RAE.Grid.Cli.Commands;

/// <summary>How a command reaches the grid: an embedded silo (--local, the default without a cluster) or a cluster.</summary>
internal sealed class ConnectionOptions
{
    public readonly Option<bool> Local = new("--local") { Description = "Run the job on an embedded silo in this process (default when no cluster is configured)" };
    public readonly Option<string?> Cluster = new("--cluster") { Description = "Connect to a cluster: localhost, redis or postgres (env RAEGRID_CLUSTER)" };
    public readonly Option<string?> Redis = new("--redis") { Description = "Redis connection string for --cluster redis (env RAEGRID_REDIS)" };
    public readonly Option<string?> Postgres = new("--postgres") { Description = "Npgsql connection string for --cluster postgres (env RAEGRID_POSTGRES)" };
    public readonly Option<int> GatewayPort = new("--gateway-port") { Description = "Gateway port for --cluster localhost", DefaultValueFactory = _ => 30000 };
    public readonly Option<string?> Device = new("--device") { Description = "Embedded silo's device: cpu, cuda, cuda:N" };
    public readonly Option<string?> State = new("--state") { Description = "Embedded silo's folder for job state and the store", DefaultValueFactory = _ => ".rae-grid" };
    public readonly Option<string?> ClientName = new("--client-name") { Description = "This client's name on a cluster that asks for credentials (env RAEGRID_CLIENT)" };
    public readonly Option<string?> ClientSecret = new("--client-secret") { Description = "This client's secret (env RAEGRID_CLIENT_SECRET; the environment keeps it out of the process list)" };
    public readonly Option<string?> TlsTrust = new("--tls-trust") { Description = "Connect with TLS, trusting this silo certificate file (PEM/DER/PFX; env RAEGRID_TLS_TRUST)" };
    public readonly Option<string?> TlsClientCert = new("--tls-client-cert") { Description = "Client certificate (PFX) for silos that require one (env RAEGRID_TLS_CLIENT_CERT, password RAEGRID_TLS_CLIENT_CERT_PASSWORD)" };

    public void AddTo(Command c)
    {
        c.Options.Add(Local); c.Options.Add(Cluster); c.Options.Add(Redis); c.Options.Add(Postgres); c.Options.Add(GatewayPort); c.Options.Add(Device); c.Options.Add(State);
        c.Options.Add(ClientName); c.Options.Add(ClientSecret); c.Options.Add(TlsTrust); c.Options.Add(TlsClientCert);
    }

    /// <summary>Opens the grid the options describe; <paramref name="bundle"/> is registered in an embedded silo when it is a path.</summary>
    public async Task<GridSession> OpenAsync(ParseResult pr, string bundle)
    {
        var cluster = pr.GetValue(Cluster) ?? Environment.GetEnvironmentVariable("RAEGRID_CLUSTER");
        var redis = pr.GetValue(Redis) ?? Environment.GetEnvironmentVariable("RAEGRID_REDIS");
        var postgres = pr.GetValue(Postgres) ?? Environment.GetEnvironmentVariable("RAEGRID_POSTGRES");
        if (pr.GetValue(Local) || string.IsNullOrWhiteSpace(cluster))
            return await GridSession.EmbeddedAsync(bundle, pr.GetValue(Device), pr.GetValue(State)!);
        var connection = new RAE.Grid.Client.GridConnection(cluster!, pr.GetValue(GatewayPort), redis)
        {
            Postgres = postgres,
            Credential = RAE.Grid.Client.ClientCredential.From(pr.GetValue(ClientName), pr.GetValue(ClientSecret)),
            Tls = RAE.Grid.Client.ClientTls.From(pr.GetValue(TlsTrust), pr.GetValue(TlsClientCert)),
        };
        return await GridSession.ConnectAsync(connection, bundle);
    }
}
