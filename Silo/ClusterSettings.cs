namespace RAE.Grid.Silo;

/// <summary>
/// Cluster membership (configuration section "Cluster"): "localhost" (the embedded default: one silo, or several on one
/// machine with distinct ports), "redis" (a cluster: every silo and client names the same Redis) or "postgres" (the same,
/// on a PostgreSQL database holding the Orleans ADO.NET schema: see <see cref="PostgresSchema"/>).
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";
    public string Mode { get; set; } = "localhost";
    /// <summary>Redis connection string for membership (and, by default, job state and reminders) when Mode is "redis".</summary>
    public string? Redis { get; set; }
    /// <summary>
    /// Npgsql connection string for membership (and, by default, job state and reminders) when Mode is "postgres",
    /// e.g. "Host=127.0.0.1;Port=5432;Database=raegrid;Username=raegrid;Password=...".
    /// </summary>
    public string? Postgres { get; set; }
    /// <summary>
    /// Running in Kubernetes: Orleans' Kubernetes hosting sets the silo's name, address and cluster ids from the pod
    /// (POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_CLUSTER_ID, ORLEANS_SERVICE_ID) and removes silos whose pods are gone.
    /// Membership itself stays in Redis or PostgreSQL (Mode). See infra/k8s/README.md.
    /// </summary>
    public bool Kubernetes { get; set; }
    public string ClusterId { get; set; } = "rae-grid";
    public string ServiceId { get; set; } = "rae-grid";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Address other silos reach this one at (loopback by default).</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";
    /// <summary>Localhost mode with several silos: the primary silo's silo port (null = this silo is the primary).</summary>
    public int? PrimarySiloPort { get; set; }

    public bool IsRedis => string.Equals(Mode, "redis", StringComparison.OrdinalIgnoreCase);
    public bool IsPostgres => string.Equals(Mode, "postgres", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!IsRedis && !IsPostgres && !string.Equals(Mode, "localhost", StringComparison.OrdinalIgnoreCase))
            yield return $"Cluster.Mode: '{Mode}' is not one of localhost, redis, postgres";
        if (IsRedis && string.IsNullOrWhiteSpace(Redis)) yield return "Cluster.Redis: required when Cluster.Mode is redis";
        if (IsPostgres && string.IsNullOrWhiteSpace(Postgres)) yield return "Cluster.Postgres: required when Cluster.Mode is postgres";
        // Kubernetes hosting names silos after pods but keeps membership in a shared table: localhost has none.
        if (Kubernetes && !IsRedis && !IsPostgres) yield return "Cluster.Kubernetes: needs Cluster.Mode redis or postgres";
        if (SiloPort is < 0 or > 65535) yield return $"Cluster.SiloPort: {SiloPort} is not a port";
        if (GatewayPort is < 0 or > 65535) yield return $"Cluster.GatewayPort: {GatewayPort} is not a port";
        if (!System.Net.IPAddress.TryParse(AdvertisedIP, out _)) yield return $"Cluster.AdvertisedIP: '{AdvertisedIP}' is not an IP address";
    }
}
