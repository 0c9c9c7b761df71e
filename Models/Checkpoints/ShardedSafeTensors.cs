using System.Text.Json;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// HF sharded safetensors: <c>model.safetensors.index.json</c> whose <c>weight_map</c> names, for every key, the shard
/// file (beside the index) that holds it. Read strictly: a shard outside the index's folder, a key the index lists
/// but its shard lacks, or a shard key the index does not list is an error naming them, so a half-copied download
/// cannot load.
/// </summary>
public static class ShardedSafeTensors
{
    /// <summary>The conventional index file name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Reads every tensor of every shard of the index at <paramref name="indexPath"/>.</summary>
    public static Dictionary<string, Tensor> ReadAll(string indexPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var map = ReadWeightMap(indexPath);
        var result = new Dictionary<string, Tensor>();
        var problems = new List<string>();
        foreach (var shard in map.GroupBy(kv => kv.Value, kv => kv.Key))
        {
            using var f = SafeTensorsFile.Open(Path.Combine(dir, shard.Key));
            var listed = shard.ToHashSet(StringComparer.Ordinal);
            var absent = listed.Where(k => !f.Contains(k)).Order(StringComparer.Ordinal).ToList();
            var extra = f.Keys.Where(k => !listed.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (absent.Count > 0) problems.Add($"{shard.Key} lacks ({absent.Count}): {string.Join(", ", absent)}");
            if (extra.Count > 0) problems.Add($"{shard.Key} holds keys the index does not map to it ({extra.Count}): {string.Join(", ", extra)}");
            foreach (var k in listed.Where(f.Contains)) result[k] = f.Load(k);
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{indexPath}: shards do not match the index:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", problems));
        return result;
    }

    /// <summary>The index's <c>weight_map</c>: key → shard file name (a plain name in the index's folder).</summary>
    public static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        var root = ConfigReader.ReadFile(indexPath);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{indexPath}: no 'weight_map' object");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in wm.EnumerateObject())
        {
            var file = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
            // A shard must sit beside the index: no folders, no "..", so an index cannot point elsewhere on disk.
            if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or "..")
                throw new InvalidDataException($"{indexPath}: weight_map['{p.Name}'] = {p.Value.GetRawText()} is not a shard file name beside the index");
            map[p.Name] = file;
        }
        return map;
    }
}
