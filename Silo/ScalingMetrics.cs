using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;

namespace RAE.Grid.Silo;

/// <summary>
/// The cluster's elastic-scaling signal as gauges on the meter <see cref="MeterName"/>, for an autoscaler to scale on:
/// <c>raegrid_stage_replicas</c> and <c>raegrid_stage_desired_replicas</c>, tagged stage and bundle, cluster-wide values
/// from <see cref="IClusterReportGrain.Scaling"/> (every silo exports the same numbers: scrape any, or take the max).
/// The report is asked only when the gauges are read (a scrape) and the last answer is older than
/// <see cref="RefreshInterval"/>, in the background: a read never waits on the cluster, and an unscraped silo asks nothing.
/// </summary>
public sealed class ScalingMetrics : IHostedService, IDisposable
{
    /// <summary>The meter's name (an exporter subscribing "RAE.Grid.*" picks it up).</summary>
    public const string MeterName = "RAE.Grid.Scaling";

    /// <summary>How old the exported values may get before a read asks the cluster again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;
    private readonly ILogger<ScalingMetrics> _log;
    private volatile StageScaling[] _latest = [];
    private long _refreshedAt = long.MinValue;
    private int _refreshing;

    public ScalingMetrics(IGrainFactory grains, ILogger<ScalingMetrics> log)
    {
        _grains = grains; _log = log;
        Meter = new Meter(MeterName);
        Meter.CreateObservableGauge("raegrid_stage_replicas", () => Observe(s => s.CurrentReplicas), "{replica}",
            "Stage replicas running in the cluster, per stage and bundle");
        Meter.CreateObservableGauge("raegrid_stage_desired_replicas", () => Observe(s => s.DesiredReplicas), "{replica}",
            "Replicas the stage's backlog and service rate call for (Grid:Scaling), per stage and bundle");
    }

    /// <summary>The meter the gauges are on.</summary>
    public Meter Meter { get; }

    /// <summary>Asks the cluster now and waits for the answer (the gauges then export it).</summary>
    public async Task RefreshAsync()
    {
        _latest = await _grains.GetGrain<IClusterReportGrain>(0).Scaling();
        Interlocked.Exchange(ref _refreshedAt, Stopwatch.GetTimestamp());
    }

    private IEnumerable<Measurement<int>> Observe(Func<StageScaling, int> value)
    {
        RefreshIfStale();
        return _latest.Select(s => new Measurement<int>(value(s),
            new KeyValuePair<string, object?>("stage", s.Stage), new KeyValuePair<string, object?>("bundle", s.Bundle)));
    }

    private void RefreshIfStale()
    {
        var at = Interlocked.Read(ref _refreshedAt);
        if (at != long.MinValue && Stopwatch.GetElapsedTime(at) < RefreshInterval) return;
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try { await RefreshAsync(); }
            catch (Exception e) { _log.LogDebug("Scaling gauges not refreshed: {Error}: {Message}", e.GetType().Name, e.Message); }
            finally { Volatile.Write(ref _refreshing, 0); }
        });
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => Meter.Dispose();
}
