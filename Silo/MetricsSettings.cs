using Microsoft.Extensions.Configuration;

namespace RAE.Grid.Silo;

/// <summary>
/// Telemetry export (section "Metrics"): a Prometheus scrape endpoint at http://Host:Port/metrics (Port 0, the default,
/// turns it off so many silos and test clusters on one machine do not clash; Host is loopback unless chosen), and OTLP
/// export of metrics and traces when <see cref="OtlpEndpoint"/> is set. Env: <c>RAEGRID_Metrics__Port</c> and so on.
/// </summary>
public sealed class MetricsSettings
{
    public const string Section = "Metrics";

    /// <summary>Port of the Prometheus scrape endpoint; 0 = no endpoint.</summary>
    public int Port { get; set; }

    /// <summary>Host the scrape endpoint listens on: loopback by default; "+" or "*" for every interface.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>OTLP collector (e.g. http://127.0.0.1:4317); null = no OTLP export (traces are then not exported at all).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport: "grpc" (default; the collector's port 4317) or "http/protobuf" (port 4318; /v1/metrics and /v1/traces are appended).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed to the OTLP collector (milliseconds; traces go in batches every 5 s).</summary>
    public int OtlpExportIntervalMs { get; set; } = 15_000;

    /// <summary>Whether metrics and traces go to an OTLP collector (an empty value, e.g. an empty variable, means no).</summary>
    public bool Otlp => !string.IsNullOrWhiteSpace(OtlpEndpoint);

    /// <summary>Whether anything is exported.</summary>
    public bool Exports => Port > 0 || Otlp;

    /// <summary>The section of <paramref name="config"/> (defaults where absent).</summary>
    public static MetricsSettings Read(IConfiguration config) => config.GetSection(Section).Get<MetricsSettings>() ?? new MetricsSettings();

    /// <summary>Every problem, each naming its field; <paramref name="healthPort"/> must differ from <see cref="Port"/>.</summary>
    public IEnumerable<string> Validate(int healthPort)
    {
        if (Port is < 0 or > 65535) yield return $"Metrics.Port: {Port} is not a port (0 turns the endpoint off)";
        else if (Port > 0 && Port == healthPort) yield return $"Metrics.Port: {Port} is also Health.Port; give the scrape endpoint its own port";
        if (string.IsNullOrWhiteSpace(Host) || (Host is not ("+" or "*") && Uri.CheckHostName(Host) == UriHostNameType.Unknown))
            yield return $"Metrics.Host: '{Host}' is not a host name or address (use 127.0.0.1, or + for every interface)";
        if (Otlp && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https")))
            yield return $"Metrics.OtlpEndpoint: '{OtlpEndpoint}' is not an absolute http(s) URI";
        if (OtlpProtocol is not ("grpc" or "http/protobuf")) yield return $"Metrics.OtlpProtocol: '{OtlpProtocol}' is not grpc or http/protobuf";
        if (OtlpExportIntervalMs is < 100 or > 3_600_000) yield return $"Metrics.OtlpExportIntervalMs: {OtlpExportIntervalMs} is not between 100 and 3600000";
    }
}
