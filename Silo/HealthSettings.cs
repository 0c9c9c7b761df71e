namespace RAE.Grid.Silo;

/// <summary>Health endpoint (section "Health"): GET http://127.0.0.1:Port/healthz; 0 turns it off.</summary>
public sealed class HealthSettings
{
    public const string Section = "Health";
    public int Port { get; set; }
}
