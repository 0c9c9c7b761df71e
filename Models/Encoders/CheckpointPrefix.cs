using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders;

/// <summary>
/// Picks one sub-model's keys out of a larger checkpoint: e.g. <c>vit.</c> in a <c>ViTMAEForPreTraining</c>
/// checkpoint, <c>vision_model.</c>/<c>text_model.</c> in a <c>SiglipModel</c> checkpoint.
/// </summary>
public static class CheckpointPrefix
{
    /// <summary>
    /// When any key starts with <paramref name="prefix"/>, returns those keys with the prefix removed, dropping
    /// keys that belong to the known sibling parts (<paramref name="siblingPrefixes"/>, e.g. the MAE pre-training
    /// decoder). Any other key is kept as is, so a strict load still reports it as unexpected. When no key has
    /// the prefix, the checkpoint is taken to hold bare keys and is returned unchanged.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Select(IReadOnlyDictionary<string, Tensor> stateDict,
        string prefix, params string[] siblingPrefixes)
    {
        if (!stateDict.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal))) return stateDict;
        var selected = new Dictionary<string, Tensor>();
        foreach (var (k, v) in stateDict)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal)) selected[k[prefix.Length..]] = v;
            else if (!siblingPrefixes.Any(s => k.StartsWith(s, StringComparison.Ordinal))) selected[k] = v;
        }
        return selected;
    }
}
