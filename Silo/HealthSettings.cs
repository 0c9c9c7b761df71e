namespace RAE.Grid.Silo;

/// <summary>Health endpoint (section "Health"): GET http://Host:Port/healthz; 0 turns it off.</summary>
public sealed class HealthSettings
{
    public const string Section = "Health";
    public int Port { get; set; }
    /// <summary>
    /// Address the endpoint listens on: loopback by default; "+" for every interface, as Kubernetes probes need (the
    /// kubelet connects to the pod IP).
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";
}
