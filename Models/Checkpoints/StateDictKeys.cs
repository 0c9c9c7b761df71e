using RAE.Grid.Models.Checkpoints.Torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// How a saved object becomes a flat state dict, the way the authors' loaders see it: an <c>{"ema": ...}</c>
/// (preferred) or <c>{"model": ...}</c> wrapper is unwrapped, nested dicts are joined with ".", and the
/// <c>module.</c> (DataParallel/DDP) and <c>_orig_mod.</c> (torch.compile) prefixes are stripped.
/// </summary>
public static class StateDictKeys
{
    /// <summary>Wrapper keys, in order of preference.</summary>
    public static readonly IReadOnlyList<string> WrapperKeys = ["ema", "model"];

    /// <summary>Key prefixes added by training wrappers.</summary>
    public static readonly IReadOnlyList<string> WrapperPrefixes = ["module.", "_orig_mod."];

    /// <summary>The state dict inside a training checkpoint's wrapper, or <paramref name="root"/> itself.</summary>
    public static object? Unwrap(object? root)
    {
        if (root is OrderedDictionary<object, object?> d)
            foreach (var w in WrapperKeys)
                if (d.TryGetValue(w, out var inner) && inner is OrderedDictionary<object, object?>)
                    return inner;
        return root;
    }

    /// <summary>Most entries (leaves and dicts) a state dict may flatten to; bounds dicts shared many times over.</summary>
    public const int MaxEntries = 1_000_000;

    /// <summary>
    /// The leaves of nested dicts under "."-joined keys, None values skipped. Anything but a dict at the top, or a
    /// leaf that is not a <typeparamref name="TLeaf"/>, raises naming the key.
    /// </summary>
    public static List<(string Key, TLeaf Value)> Flatten<TLeaf>(object? node, string sourceName)
    {
        if (node is not OrderedDictionary<object, object?> d)
            throw new InvalidDataException($"{sourceName}: holds {Describe(node)}, not a dict of tensors");
        var result = new List<(string, TLeaf)>();
        var visits = 0;
        FlattenDict(d, "", sourceName, 0, result, ref visits);
        return result;
    }

    private static void FlattenDict<TLeaf>(OrderedDictionary<object, object?> dict, string prefix, string sourceName,
        int depth, List<(string, TLeaf)> result, ref int visits)
    {
        if (depth > TorchCheckpointFile.MaxDepth)
            throw new InvalidDataException($"{sourceName}: nesting deeper than {TorchCheckpointFile.MaxDepth} at '{prefix}' (self-referencing?)");
        foreach (var (k, v) in dict)
        {
            if (++visits > MaxEntries)
                throw new InvalidDataException($"{sourceName}: more than {MaxEntries} entries (sub-dicts shared many times?)");
            var key = k switch
            {
                string s => s,
                long n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidDataException($"{sourceName}: key {Describe(k)} under '{prefix}' is not a string"),
            };
            var full = prefix.Length == 0 ? key : $"{prefix}.{key}";
            switch (v)
            {
                case null: continue;
                case TLeaf leaf: result.Add((full, leaf)); break;
                case OrderedDictionary<object, object?> inner: FlattenDict(inner, full, sourceName, depth + 1, result, ref visits); break;
                default:
                    throw new InvalidDataException($"{sourceName}: '{full}' holds {Describe(v)}, not a tensor");
            }
        }
    }

    /// <summary><paramref name="key"/> without any leading wrapper prefixes (e.g. "module._orig_mod.x" → "x").</summary>
    public static string StripPrefixes(string key)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var p in WrapperPrefixes)
                if (key.StartsWith(p, StringComparison.Ordinal) && key.Length > p.Length)
                {
                    key = key[p.Length..];
                    changed = true;
                }
        }
        return key;
    }

    /// <summary>A dictionary of the entries under their stripped keys; two entries that collide raise.</summary>
    public static Dictionary<string, T> WithStrippedPrefixes<T>(IEnumerable<(string Key, T Value)> entries, string sourceName)
    {
        var result = new Dictionary<string, T>();
        var origin = new Dictionary<string, string>();
        foreach (var (k, v) in entries)
        {
            var s = StripPrefixes(k);
            if (origin.TryGetValue(s, out var other))
                throw new InvalidDataException($"{sourceName}: keys '{other}' and '{k}' both mean '{s}'");
            origin[s] = k;
            result[s] = v;
        }
        return result;
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"'{s}'",
        long or double or bool => $"{o.GetType().Name} {o}",
        _ => o.GetType().Name,
    };
}
