using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's loaded models: each bundle of the registry is loaded at most once per silo, on the silo's device, the first
/// time a stage needs it, and shared by that silo's encoder, decoder and diffusion stages. Bundle files (their settings,
/// not their weights) are read on their own for what needs no model: sampling defaults, random-weight flags.
/// </summary>
public sealed class ModelHost(IOptions<GridOptions> options, ILogger<ModelHost> log) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RaeModel>>> _models = new();
    private readonly ConcurrentDictionary<string, Lazy<RaeBundle>> _bundles = new();

    /// <summary>Bundle ids this silo can load.</summary>
    public IReadOnlyCollection<string> BundleIds => options.Value.Bundles.Keys;

    /// <summary>The loaded model of <paramref name="bundleId"/> (loaded now if needed, off the caller's thread).</summary>
    public Task<RaeModel> GetAsync(string bundleId)
    {
        var path = PathOf(bundleId);
        var lazy = _models.GetOrAdd(bundleId, id => new Lazy<Task<RaeModel>>(() => Task.Run(() => Load(id, path))));
        // A failed load is not kept: the next request (or the preloader's retry) loads again, e.g. once missing weights are in place.
        if (lazy.Value.IsFaulted) _models.TryRemove(new KeyValuePair<string, Lazy<Task<RaeModel>>>(bundleId, lazy));
        return lazy.Value;
    }

    /// <summary>The bundle file of <paramref name="bundleId"/> with this silo's device and dtype (read once; no weights loaded).</summary>
    public RaeBundle Bundle(string bundleId)
    {
        var path = PathOf(bundleId);
        var lazy = _bundles.GetOrAdd(bundleId, _ => new Lazy<RaeBundle>(() =>
        {
            var o = options.Value;
            var bundle = RaeBundle.Load(path);
            return bundle with { Compute = bundle.Compute with { Device = o.Device, DType = o.DType ?? bundle.Compute.DType } };
        }));
        try { return lazy.Value; }
        catch { _bundles.TryRemove(new KeyValuePair<string, Lazy<RaeBundle>>(bundleId, lazy)); throw; } // a fixed file is read again
    }

    /// <summary>
    /// The ids of <paramref name="registry"/> (bundle id → bundle file) whose bundles say their weights are random, so the
    /// silo can advertise them and every output of such a bundle says so. An unreadable bundle counts as not random: it
    /// is reported when a stage loads it.
    /// </summary>
    public static IEnumerable<string> RandomWeightBundles(IReadOnlyDictionary<string, string> registry) =>
        registry.Where(kv =>
        {
            try { return File.Exists(kv.Value) && RaeBundle.Load(kv.Value).RandomWeights; }
            catch (Exception) { return false; }
        }).Select(kv => kv.Key);

    private string PathOf(string bundleId) => options.Value.Bundles.TryGetValue(bundleId, out var path)
        ? path
        : throw new KeyNotFoundException($"bundle '{bundleId}' is not in this silo's registry (known: {string.Join(", ", BundleIds)})");

    private RaeModel Load(string id, string path)
    {
        var bundle = Bundle(id);
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
