namespace RAE.Grid.Silo;

/// <summary>
/// Where job (pipeline grain) state and reminders live (section "State"): "local" files (embedded default; survive a
/// restart), "redis" or "postgres" (clusters: a silo that leaves loses no job), or "memory" (tests). When Kind is not
/// set it follows the cluster: "redis" with Cluster.Mode redis, "postgres" with Cluster.Mode postgres (local files there
/// would strand a job on the silo that wrote them), else "local".
/// </summary>
public sealed class StateSettings
{
    public const string Section = "State";
    public string Kind { get; set; } = "local";
    public string LocalPath { get; set; } = ".rae-grid/state";
    /// <summary>Redis connection string (defaults to Cluster.Redis).</summary>
    public string? Redis { get; set; }
    /// <summary>Npgsql connection string (defaults to Cluster.Postgres); the database holds the Orleans ADO.NET schema.</summary>
    public string? Postgres { get; set; }

    public IEnumerable<string> Validate(ClusterSettings cluster)
    {
        if (Kind is not ("local" or "redis" or "postgres" or "memory")) yield return $"State.Kind: '{Kind}' is not one of local, redis, postgres, memory";
        if (Kind == "redis" && string.IsNullOrWhiteSpace(Redis ?? cluster.Redis)) yield return "State.Redis: required when State.Kind is redis";
        if (Kind == "postgres" && string.IsNullOrWhiteSpace(Postgres ?? cluster.Postgres)) yield return "State.Postgres: required when State.Kind is postgres";
        if (Kind == "local" && string.IsNullOrWhiteSpace(LocalPath)) yield return "State.LocalPath: required when State.Kind is local";
    }
}
