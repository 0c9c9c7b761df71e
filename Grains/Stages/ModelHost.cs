using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's loaded models: each bundle of the registry is loaded at most once per silo, on the silo's device, the first
/// time a stage needs it, and shared by that silo's encoder, decoder and diffusion stages.
/// </summary>
public sealed class ModelHost(IOptions<GridOptions> options, ILogger<ModelHost> log) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RaeModel>>> _models = new();

    /// <summary>Bundle ids this silo can load.</summary>
    public IReadOnlyCollection<string> BundleIds => options.Value.Bundles.Keys;

    /// <summary>The loaded model of <paramref name="bundleId"/> (loaded now if needed, off the caller's thread).</summary>
    public Task<RaeModel> GetAsync(string bundleId)
    {
        if (!options.Value.Bundles.TryGetValue(bundleId, out var path))
            throw new KeyNotFoundException($"bundle '{bundleId}' is not in this silo's registry (known: {string.Join(", ", BundleIds)})");
        return _models.GetOrAdd(bundleId, id => new Lazy<Task<RaeModel>>(() => Task.Run(() => Load(id, path)))).Value;
    }

    private RaeModel Load(string id, string path)
    {
        var o = options.Value;
        var bundle = RaeBundle.Load(path);
        bundle = bundle with { Compute = bundle.Compute with { Device = o.Device, DType = o.DType ?? bundle.Compute.DType } };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var model = RaeModel.Load(bundle);
        log.LogInformation("Loaded bundle {Bundle} ({Path}) on {Device}/{DType} in {Ms} ms{Random}", id, path, bundle.Compute.Device,
            bundle.Compute.DType, sw.ElapsedMilliseconds, bundle.RandomWeights ? " (random weights)" : "");
        return model;
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values)
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) lazy.Value.Result.Dispose();
    }
}
