using System.Text.Json;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// A finished job's item records as the manifest names them: <c>manifest.json</c>'s <c>item_files</c> (JSON Lines,
/// relative to the output prefix), read in order, one element per item.
/// </summary>
public static class ManifestItems
{
    /// <summary>Every item of the manifest's job, in file order, read through <paramref name="read"/> (store name → bytes).</summary>
    public static async Task<List<JsonElement>> ReadAsync(JsonElement manifest, Func<string, Task<byte[]>> read)
    {
        var prefix = manifest.GetProperty("output_prefix").GetString();
        var items = new List<JsonElement>();
        foreach (var file in manifest.GetProperty("item_files").EnumerateArray())
        {
            var text = System.Text.Encoding.UTF8.GetString(await read($"{prefix}/{file.GetString()}"));
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                items.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return items;
    }
}
