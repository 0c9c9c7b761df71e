using RAE.Grid.Models.Checkpoints.Torch;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// Reads latent statistics: the authors' <c>stat.pt</c> (<c>{"mean": Tensor or None, "var": Tensor}</c>) or a
/// safetensors file with <c>mean</c> / <c>var</c> tensors. Either may be absent (or None), e.g. the released
/// DINOv2-B stats have no mean; a file with neither raises.
/// </summary>
public static class LatentStatsFile
{
    /// <summary>Reads <paramref name="path"/> (format detected from content).</summary>
    public static LatentStats Read(string path, double eps = LatentStats.DefaultEps)
    {
        Tensor? mean, var;
        if (Checkpoint.DetectFormat(path) == CheckpointFormat.TorchZip)
        {
            using var f = TorchCheckpointFile.Open(path);
            if (f.Root is not OrderedDictionary<object, object?> d)
                throw new InvalidDataException($"{path}: latent stats must be a dict with 'mean' and/or 'var'");
            TorchTensorRef? Get(string key) => d.TryGetValue(key, out var v) ? v switch
            {
                null => null,
                TorchTensorRef t => t,
                _ => throw new InvalidDataException($"{path}: '{key}' holds {v.GetType().Name}, not a tensor or None"),
            } : null;
            var (m, v) = (Get("mean"), Get("var"));
            mean = m is null ? null : f.Load(m);
            var = v is null ? null : f.Load(v);
        }
        else
        {
            using var f = SafeTensorsFile.Open(path);
            mean = f.Contains("mean") ? f.Load("mean") : null;
            var = f.Contains("var") ? f.Load("var") : null;
        }
        if (mean is null && var is null)
            throw new InvalidDataException($"{path}: holds neither 'mean' nor 'var' latent statistics");
        return new LatentStats(mean, var, eps);
    }
}
