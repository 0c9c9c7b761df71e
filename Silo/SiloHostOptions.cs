namespace RAE.Grid.Silo;

/// <summary>
/// Cluster membership (configuration section "Cluster"): "localhost" (the embedded default: one silo, or several on one
/// machine with distinct ports) or "redis" (a cluster: every silo and client names the same Redis).
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";
    public string Mode { get; set; } = "localhost";
    /// <summary>Redis connection string for membership (and, by default, job state and reminders) when Mode is "redis".</summary>
    public string? Redis { get; set; }
    public string ClusterId { get; set; } = "rae-grid";
    public string ServiceId { get; set; } = "rae-grid";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Address other silos reach this one at (loopback by default).</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";
    /// <summary>Localhost mode with several silos: the primary silo's silo port (null = this silo is the primary).</summary>
    public int? PrimarySiloPort { get; set; }

    public bool IsRedis => string.Equals(Mode, "redis", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!IsRedis && !string.Equals(Mode, "localhost", StringComparison.OrdinalIgnoreCase))
            yield return $"Cluster.Mode: '{Mode}' is not one of localhost, redis";
        if (IsRedis && string.IsNullOrWhiteSpace(Redis)) yield return "Cluster.Redis: required when Cluster.Mode is redis";
        if (SiloPort is < 0 or > 65535) yield return $"Cluster.SiloPort: {SiloPort} is not a port";
        if (GatewayPort is < 0 or > 65535) yield return $"Cluster.GatewayPort: {GatewayPort} is not a port";
        if (!System.Net.IPAddress.TryParse(AdvertisedIP, out _)) yield return $"Cluster.AdvertisedIP: '{AdvertisedIP}' is not an IP address";
    }
}

/// <summary>
/// Where job (pipeline grain) state and reminders live (section "State"): "local" files (embedded default; survive a
/// restart), "redis" (clusters: a silo that leaves loses no job), or "memory" (tests). When Kind is not set it follows
/// the cluster: "redis" with Cluster.Mode redis (local files there would strand a job on the silo that wrote them),
/// else "local".
/// </summary>
public sealed class StateSettings
{
    public const string Section = "State";
    public string Kind { get; set; } = "local";
    public string LocalPath { get; set; } = ".rae-grid/state";
    /// <summary>Redis connection string (defaults to Cluster.Redis).</summary>
    public string? Redis { get; set; }

    public IEnumerable<string> Validate(ClusterSettings cluster)
    {
        if (Kind is not ("local" or "redis" or "memory")) yield return $"State.Kind: '{Kind}' is not one of local, redis, memory";
        if (Kind == "redis" && string.IsNullOrWhiteSpace(Redis ?? cluster.Redis)) yield return "State.Redis: required when State.Kind is redis";
        if (Kind == "local" && string.IsNullOrWhiteSpace(LocalPath)) yield return "State.LocalPath: required when State.Kind is local";
    }
}

/// <summary>Health endpoint (section "Health"): GET http://127.0.0.1:Port/healthz; 0 turns it off.</summary>
public sealed class HealthSettings
{
    public const string Section = "Health";
    public int Port { get; set; }
}
