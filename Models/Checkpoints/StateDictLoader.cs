using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// Copies a checkpoint's tensors into a module by key name. Strict by default: every problem is collected
/// and reported in one exception, so a user sees the whole mismatch at once rather than the first key.
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// Loads strictly, then freezes: eval mode, no gradients — how every pretrained model here (frozen encoders, decoders
    /// and DiTs at inference) is used.
    /// </summary>
    public static void LoadFrozen(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        bool ignoreUnexpected = false, IReadOnlyCollection<string>? optional = null)
    {
        Load(module, source, sourceName, ignoreUnexpected, optional);
        module.eval();
        foreach (var p in module.parameters()) p.requires_grad = false;
    }

    /// <summary>
    /// Loads <paramref name="source"/> into <paramref name="module"/>. Values are converted to each target's
    /// dtype and device. <paramref name="ignoreUnexpected"/> tolerates checkpoint keys the module does not use
    /// (e.g. the decoder half of a full MAE checkpoint); <paramref name="optional"/> lists module keys that may be
    /// absent (they keep their initial value).
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        bool ignoreUnexpected = false, IReadOnlyCollection<string>? optional = null)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !(optional?.Contains(k) ?? false))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = ignoreUnexpected ? new List<string>()
            : source.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var misShaped = target.Keys.Where(source.ContainsKey)
            .Where(k => !source[k].shape.SequenceEqual(target[k].shape))
            .Select(k => $"{k}: checkpoint [{string.Join(",", source[k].shape)}] vs model [{string.Join(",", target[k].shape)}]")
            .ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            var lines = new List<string> { $"{sourceName} does not match {module.GetName()}:" };
            if (missing.Count > 0) lines.Add($"  missing ({missing.Count}): {string.Join(", ", missing)}");
            if (unexpected.Count > 0) lines.Add($"  unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}");
            if (misShaped.Count > 0) lines.Add($"  mis-shaped ({misShaped.Count}): {string.Join("; ", misShaped)}");
            throw new StateDictMismatchException(string.Join(Environment.NewLine, lines), missing, unexpected, misShaped);
        }
        using var _ = no_grad();
        foreach (var (k, t) in target)
            if (source.TryGetValue(k, out var s))
            {
                // Frees the converted copy at once instead of leaving it to the finalizer (matters for big models).
                using var scope = NewDisposeScope();
                t.copy_(s.to(t.dtype, t.device));
            }
    }
}
