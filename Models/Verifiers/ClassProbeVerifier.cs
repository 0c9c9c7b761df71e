using System.Security.Cryptography;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// The class-probe verifier (bundle type <c>class-probe</c>): a linear probe on the flattened normalized latent tokens
/// the diffusion model generates, trained on the frozen encoder's latents of labelled images (<c>rae-grid
/// train-probe</c>). A candidate's score is the log-softmax probability of its condition's label. Each row is
/// standardized with the stored training statistics and scored alone, so a score never depends on its batch.
/// </summary>
public sealed class ClassProbeVerifier : ILatentVerifier, IDisposable
{
    /// <summary>Bundle <c>verifiers[].type</c> of this verifier.</summary>
    public const string TypeName = "class-probe";
    /// <summary>Per-feature mean of the training latents, [C·H·W].</summary>
    public const string MeanKey = "latent_mean";
    /// <summary>Per-feature std of the training latents, [C·H·W].</summary>
    public const string StdKey = "latent_std";
    /// <summary>Class weights, [K, C·H·W] (as torch's <c>nn.Linear.weight</c>).</summary>
    public const string WeightKey = "classifier.weight";
    /// <summary>Class biases, [K].</summary>
    public const string BiasKey = "classifier.bias";

    readonly Tensor _mean, _std, _weight, _bias;

    /// <inheritdoc />
    public string Name { get; }
    /// <inheritdoc />
    public string Version { get; }
    /// <summary>Number of classes K the probe tells apart.</summary>
    public int NumClasses => (int)_weight.shape[0];
    /// <summary>Latent shape [C, H, W] the probe reads.</summary>
    public long[] LatentShape { get; }

    ClassProbeVerifier(string name, string version, long[] latentShape, Tensor mean, Tensor std, Tensor weight, Tensor bias)
    {
        Name = name; Version = version; LatentShape = latentShape;
        _mean = mean; _std = std; _weight = weight; _bias = bias;
    }

    /// <summary>
    /// Builds a probe from its tensors (float32 on the CPU), checked strictly against <paramref name="latentShape"/> and
    /// <paramref name="numClasses"/>; <paramref name="version"/> is recorded beside its scores.
    /// </summary>
    public static ClassProbeVerifier FromTensors(string name, string version, IReadOnlyDictionary<string, Tensor> tensors,
        long[] latentShape, int numClasses, string source = "probe tensors")
    {
        var d = latentShape.Aggregate(1L, (a, b) => a * b);
        var expected = new Dictionary<string, long[]>
        {
            [MeanKey] = [d], [StdKey] = [d], [WeightKey] = [numClasses, d], [BiasKey] = [numClasses],
        };
        var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = tensors.Keys.Where(k => !expected.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var misShaped = expected.Where(e => tensors.TryGetValue(e.Key, out var t) && !t.shape.SequenceEqual(e.Value))
            .Select(e => $"{e.Key}: checkpoint [{string.Join(",", tensors[e.Key].shape)}] vs probe [{string.Join(",", e.Value)}]")
            .ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            var lines = new List<string> { $"{source} does not match a class probe for latents [{string.Join(",", latentShape)}] and {numClasses} classes:" };
            if (missing.Count > 0) lines.Add($"  missing ({missing.Count}): {string.Join(", ", missing)}");
            if (unexpected.Count > 0) lines.Add($"  unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}");
            if (misShaped.Count > 0) lines.Add($"  mis-shaped ({misShaped.Count}): {string.Join("; ", misShaped)}");
            throw new StateDictMismatchException(string.Join(Environment.NewLine, lines), missing, unexpected, misShaped);
        }
        // Detached from any dispose scope: the probe owns its tensors for its lifetime.
        Tensor Copy(string key) => tensors[key].detach().to(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
        var std = Copy(StdKey);
        if (!(std.min().item<float>() > 0)) throw new InvalidDataException($"{source}: {StdKey} must be positive everywhere");
        return new ClassProbeVerifier(name, version, latentShape.ToArray(), Copy(MeanKey), std, Copy(WeightKey), Copy(BiasKey));
    }

    /// <summary>Loads a probe's safetensors file strictly (missing, unexpected and mis-shaped keys are all named).</summary>
    public static ClassProbeVerifier Load(string name, string path, long[] latentShape, int numClasses)
    {
        var tensors = SafeTensorsFile.ReadAll(path);
        try { return FromTensors(name, VersionOf(path), tensors, latentShape, numClasses, path); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>"class-probe@" and the first 12 hex digits of the weights file's SHA-256.</summary>
    public static string VersionOf(string path)
    {
        using var f = File.OpenRead(path);
        return $"{TypeName}@{Convert.ToHexStringLower(SHA256.HashData(f))[..12]}";
    }

    /// <summary>The probe's tensors under their file key names (for saving).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors() => new Dictionary<string, Tensor>
    {
        [MeanKey] = _mean, [StdKey] = _std, [WeightKey] = _weight, [BiasKey] = _bias,
    };

    /// <summary>Class log-probabilities [B, K] (float32, CPU) of latents [B, C, H, W].</summary>
    public Tensor LogProbabilities(Tensor latents)
    {
        if (latents.dim() != 4 || !latents.shape.Skip(1).SequenceEqual(LatentShape))
            throw new ArgumentException($"latents: [{string.Join(",", latents.shape)}] given, the probe reads [B,{string.Join(",", LatentShape)}]");
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var x = latents.detach().to(ScalarType.Float32).cpu().reshape(latents.shape[0], -1);
        // Per-row products reduced over the feature axis rather than a matmul: BLAS picks different kernels (and
        // summation orders) for different batch sizes, which would make a row's score depend on its batch.
        var z = (x - _mean) / _std;
        var logits = (z.unsqueeze(1) * _weight.unsqueeze(0)).sum(2).add(_bias);
        return logits.log_softmax(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Score(Tensor latents, IReadOnlyList<LatentCondition> conditions)
    {
        if (conditions.Count != latents.shape[0])
            throw new ArgumentException($"conditions: {conditions.Count} given for {latents.shape[0]} latents");
        for (int i = 0; i < conditions.Count; i++)
            if (conditions[i].Label < 0 || conditions[i].Label >= NumClasses)
                throw new ArgumentException($"conditions[{i}].Label: {conditions[i].Label} is outside 0..{NumClasses - 1} (verifier '{Name}' scores class labels)");
        using var scope = NewDisposeScope();
        var labels = tensor(conditions.Select(c => (long)c.Label).ToArray(), ScalarType.Int64).unsqueeze(1);
        return LogProbabilities(latents).gather(1, labels).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mean.Dispose(); _std.Dispose(); _weight.Dispose(); _bias.Dispose();
    }
}
