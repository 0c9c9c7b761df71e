using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's loaded models: each bundle of the registry is loaded at most once per silo and device, the first time a
/// stage replica on that device needs it, and shared by the replicas of every stage on that device. Replicas on one
/// device share one copy: a second copy in the same memory would double it and compute nothing faster, and a forward
/// pass changes no module state (parts loaded lazily, like verifiers, are loaded under a lock), as the encoder, decoder
/// and diffusion stages already sharing a model on their own batch threads rely on. Each device of Grid:Devices gets
/// its own copy on that device. Bundle files (their settings,
/// not their weights) are read on their own for what needs no model: sampling defaults, random-weight flags.
/// </summary>
public sealed class ModelHost(IOptions<GridOptions> options, ILogger<ModelHost> log) : IDisposable
{
    private readonly ConcurrentDictionary<(string Bundle, string Device), Lazy<Task<RaeModel>>> _models = new();
    private readonly ConcurrentDictionary<(string Bundle, string Device), Lazy<RaeBundle>> _bundles = new();

    /// <summary>Bundle ids this silo can load.</summary>
    public IReadOnlyCollection<string> BundleIds => options.Value.Bundles.Keys;

    /// <summary>The loaded model of <paramref name="bundleId"/> on the silo's first device (loaded now if needed, off the caller's thread).</summary>
    public Task<RaeModel> GetAsync(string bundleId) => GetAsync(bundleId, options.Value.DeviceOf(0));

    /// <summary>The loaded model of <paramref name="bundleId"/> on <paramref name="device"/> (loaded now if needed, off the caller's thread).</summary>
    public Task<RaeModel> GetAsync(string bundleId, string device)
    {
        var path = PathOf(bundleId);
        var lazy = _models.GetOrAdd((bundleId, device), key => new Lazy<Task<RaeModel>>(() => Task.Run(() => Load(key.Bundle, key.Device, path))));
        // A failed load is not kept: the next request (or the preloader's retry) loads again, e.g. once missing weights are in place.
        if (lazy.Value.IsFaulted) _models.TryRemove(new KeyValuePair<(string, string), Lazy<Task<RaeModel>>>((bundleId, device), lazy));
        return lazy.Value;
    }

    /// <summary>The bundle file of <paramref name="bundleId"/> with the silo's first device and its dtype (read once; no weights loaded).</summary>
    public RaeBundle Bundle(string bundleId) => Bundle(bundleId, options.Value.DeviceOf(0));

    /// <summary>The bundle file of <paramref name="bundleId"/> with <paramref name="device"/> and the silo's dtype (read once; no weights loaded).</summary>
    public RaeBundle Bundle(string bundleId, string device)
    {
        var path = PathOf(bundleId);
        var lazy = _bundles.GetOrAdd((bundleId, device), _ => new Lazy<RaeBundle>(() =>
        {
            var o = options.Value;
            var bundle = RaeBundle.Load(path);
            return bundle with { Compute = bundle.Compute with { Device = device, DType = o.DType ?? bundle.Compute.DType } };
        }));
        try { return lazy.Value; }
        catch { _bundles.TryRemove(new KeyValuePair<(string, string), Lazy<RaeBundle>>((bundleId, device), lazy)); throw; } // a fixed file is read again
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

    private RaeModel Load(string id, string device, string path)
    {
        var bundle = Bundle(id, device);
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
