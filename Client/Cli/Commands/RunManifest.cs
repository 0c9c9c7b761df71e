using System.Text.Json;
using System.Text.Json.Serialization;

namespace RAE.Grid.Cli.Commands;

/// <summary>One item of a run: what went in, what came out, how long it took, or why it failed.</summary>
internal sealed record ManifestItem(
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("input")] string Input,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("output")] string? Output,
    [property: JsonPropertyName("seconds")] double? Seconds,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>The JSON manifest written next to a run's outputs: every item, its seed, timing, output name or error.</summary>
internal sealed record RunManifest(
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("bundle")] string Bundle,
    [property: JsonPropertyName("random_weights")] bool RandomWeights,
    [property: JsonPropertyName("settings")] Dictionary<string, object?> Settings,
    [property: JsonPropertyName("items")] List<ManifestItem> Items,
    [property: JsonPropertyName("contact_sheet")] string? ContactSheet,
    [property: JsonPropertyName("total_seconds")] double TotalSeconds)
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Options));
        File.Move(tmp, path, overwrite: true);
    }
}
