using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// With <c>Grid:PreloadModels</c> on (and stages hosted), loads every registry bundle's model in the background at
/// start-up (on each device of <c>Grid:Devices</c>), so the first requests do not wait for a load and readiness can say when the silo can serve. A bundle that
/// fails to load is tried again every <see cref="RetryInterval"/> (e.g. weights still being copied onto a volume);
/// readiness names it meanwhile.
/// </summary>
public sealed class ModelPreloader(ModelHost models, IOptions<GridOptions> grid, ILogger<ModelPreloader> log) : BackgroundService
{
    /// <summary>Wait between attempts to load a bundle that failed.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    // Bundles not loaded yet → why (the last load error, or "loading").
    private readonly ConcurrentDictionary<string, string> _missing = new(
        grid.Value.PreloadModels && grid.Value.Stages.Length > 0 ? grid.Value.Bundles.Keys.Select(id => KeyValuePair.Create(id, "loading")) : []);

    /// <summary>Whether this silo preloads its models.</summary>
    public bool Enabled => grid.Value.PreloadModels && grid.Value.Stages.Length > 0;

    /// <summary>Whether every bundle is loaded (always true when preloading is off: models then load on first use).</summary>
    public bool Loaded => _missing.IsEmpty;

    /// <summary>Bundles not loaded yet, each with why.</summary>
    public IReadOnlyDictionary<string, string> Missing => new Dictionary<string, string>(_missing);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (int attempt = 1; !_missing.IsEmpty && !stoppingToken.IsCancellationRequested; attempt++)
        {
            foreach (var id in _missing.Keys.Order().ToList())
            {
                try
                {
                    // Every device a replica runs on has its own copy (Grid:Devices).
                    foreach (var device in grid.Value.DeviceList.Distinct())
                        await models.GetAsync(id, device).WaitAsync(stoppingToken);
                    _missing.TryRemove(id, out _);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (attempt == 1) log.LogWarning("Preloading bundle {Bundle} failed ({Error}); retrying every {Interval}", id, e.Message, RetryInterval);
                    _missing[id] = e.Message;
                }
            }
            if (!_missing.IsEmpty) await Task.Delay(RetryInterval, stoppingToken);
        }
        if (Enabled && _missing.IsEmpty) log.LogInformation("Preloaded {Count} bundle(s): {Bundles}", grid.Value.Bundles.Count, string.Join(", ", grid.Value.Bundles.Keys));
    }
}
