namespace RAE.Grid.Silo.Dashboard;

/// <summary>
/// The silo's dashboards (section "Dashboard"; <c>rae-grid serve --dashboard</c> sets <see cref="Enabled"/>): the Orleans
/// dashboard at <c>/orleans/</c> and RAE.Grid's status page at <c>/</c> (jobs with progress; stage replicas per silo with
/// queue depth and batch sizes; desired vs current replicas), on one HTTP port, loopback by default.
/// </summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    /// <summary>Most jobs the status page lists (the newest).</summary>
    public const int MaxRecentJobs = 200;

    /// <summary>Serve the dashboards (off by default: a silo opens no port nobody asked for).</summary>
    public bool Enabled { get; set; }

    /// <summary>HTTP port of both dashboards.</summary>
    public int Port { get; set; } = 8070;

    /// <summary>Address to listen on: loopback by default (the pages have no authentication); "0.0.0.0" for every interface.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>How many of the newest jobs the status page lists (1..<see cref="MaxRecentJobs"/>).</summary>
    public int RecentJobs { get; set; } = 20;

    /// <summary>Seconds between the status page's reloads (0: no reload).</summary>
    public int RefreshSeconds { get; set; } = 2;

    /// <summary>Every problem, each naming its setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (Port is < 1 or > 65535) yield return $"Dashboard.Port: {Port} is not a port";
        if (!System.Net.IPAddress.TryParse(Host, out _)) yield return $"Dashboard.Host: '{Host}' is not an IP address";
        if (RecentJobs is < 1 or > MaxRecentJobs) yield return $"Dashboard.RecentJobs: must be between 1 and {MaxRecentJobs}, got {RecentJobs}";
        if (RefreshSeconds is < 0 or > 3600) yield return $"Dashboard.RefreshSeconds: must be between 0 and 3600, got {RefreshSeconds}";
    }
}
