using System.Text.Json;

namespace RAE.Grid.Models.Encoders;

/// <summary>
/// Reads fields of an HF <c>config.json</c> with HF's defaults for absent keys, and reports a wrong type or value
/// naming the field, so a bad config fails at load time rather than as a shape error deep in a forward pass.
/// </summary>
public sealed class HfConfigReader(JsonElement json, string configName)
{
    /// <summary>The JSON object being read.</summary>
    public JsonElement Json { get; } = json.ValueKind == JsonValueKind.Object ? json
        : throw new InvalidDataException($"{configName}: config must be a JSON object, got {json.ValueKind}");

    private JsonElement? Find(string field) =>
        Json.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>An exception naming the field and why it is wrong.</summary>
    public InvalidDataException Bad(string field, string why) => new($"{configName}: field '{field}' {why}");

    /// <summary>Integer field (an integral JSON number), or <paramref name="fallback"/> when absent.</summary>
    public int Int(string field, int fallback)
    {
        if (Find(field) is not { } v) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        throw Bad(field, $"must be an integer, got {v.GetRawText()}");
    }

    /// <summary>Positive integer field.</summary>
    public int PositiveInt(string field, int fallback)
    {
        var i = Int(field, fallback);
        return i > 0 ? i : throw Bad(field, $"must be > 0, got {i}");
    }

    /// <summary>Floating-point field, or <paramref name="fallback"/> when absent.</summary>
    public double Double(string field, double fallback)
    {
        if (Find(field) is not { } v) return fallback;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(field, $"must be a number, got {v.GetRawText()}");
    }

    /// <summary>Boolean field, or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string field, bool fallback)
    {
        if (Find(field) is not { } v) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(field, $"must be true or false, got {v.GetRawText()}"),
        };
    }

    /// <summary>String field, or <paramref name="fallback"/> when absent.</summary>
    public string String(string field, string fallback)
    {
        if (Find(field) is not { } v) return fallback;
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(field, $"must be a string, got {v.GetRawText()}");
    }

    /// <summary>Optional integer field (null when absent).</summary>
    public int? OptionalInt(string field) => Find(field) is null ? null : Int(field, 0);

    /// <summary>Checks <c>hidden_size % num_attention_heads == 0</c>, naming the fields when not.</summary>
    public void RequireDivisible(int hidden, int heads)
    {
        if (hidden % heads != 0)
            throw Bad("num_attention_heads", $"({heads}) must divide hidden_size ({hidden})");
    }

    /// <summary>Checks the activation name is one this project implements.</summary>
    public string Activation(string field, string fallback)
    {
        var name = String(field, fallback);
        try { Layers.Activations.Get(name); }
        catch (ArgumentException e) { throw Bad(field, e.Message); }
        return name;
    }

    /// <summary>Reads and parses a config.json file.</summary>
    public static JsonElement ReadFile(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e); }
    }
}
