using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RAE.Grid.Grains.Metrics;

namespace RAE.Grid.Silo;

/// <summary>
/// The silo's telemetry: the grid's meters ("RAE.Grid.*": stages, jobs, and any later one) and Orleans' own
/// ("Microsoft.Orleans") on a Prometheus scrape endpoint and/or OTLP, and the item spans ("RAE.Grid", with Orleans'
/// grain-call spans that carry their context across silos) on OTLP. See <see cref="MetricsSettings"/>.
/// </summary>
public static class GridTelemetry
{
    /// <summary>Meters exported: every grid meter (wildcard) and Orleans' own.</summary>
    public static readonly string[] Meters = ["RAE.Grid.*", "Microsoft.Orleans"];

    /// <summary>Registers the instruments, activity propagation through grain calls, and the exporters <paramref name="settings"/> ask for.</summary>
    public static ISiloBuilder AddGridTelemetry(this ISiloBuilder silo, MetricsSettings settings)
    {
        silo.Services.AddSingleton<StageMetrics>();
        silo.Services.AddSingleton<JobMetrics>();
        // Puts the caller's span into each grain call's request context and starts the callee's span under it, so an
        // item's stage calls on other silos stay in the item's trace (spans exist only while someone listens).
        silo.AddActivityPropagation();
        if (!settings.Exports) return silo;
        var otel = silo.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("rae-grid"));
        otel.WithMetrics(m =>
        {
            m.AddMeter(Meters);
            if (settings.Port > 0) m.AddPrometheusHttpListener(o =>
            {
                o.Host = settings.Host;
                o.Port = settings.Port;
                // Each scrape collects afresh (the exporter's default reuses one for 300 ms): a scraper sees what just happened.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            });
            if (settings.Otlp)
                m.AddOtlpExporter((o, reader) =>
                {
                    Otlp(o, settings, "metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.OtlpExportIntervalMs;
                });
        });
        if (settings.Otlp)
            otel.WithTracing(t => t.AddSource(GridTracing.SourceName, GridTracing.OrleansApplicationSource)
                .AddOtlpExporter(o => Otlp(o, settings, "traces")));
        return silo;
    }

    /// <summary>The collector's address for <paramref name="signal"/>: as given for gRPC; with its /v1/ path for HTTP (an endpoint set in code gets none appended).</summary>
    private static void Otlp(OtlpExporterOptions o, MetricsSettings settings, string signal)
    {
        var http = settings.OtlpProtocol == "http/protobuf";
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        o.Endpoint = new Uri(http ? $"{settings.OtlpEndpoint!.TrimEnd('/')}/v1/{signal}" : settings.OtlpEndpoint!);
    }
}
