using System.Text.Json;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// The one reader of model config fields: HF <c>config.json</c> files (encoders, MAE pre-training), the decoder's
/// ViTMAE config and the DiTs' YAML <c>params</c> (as JSON). An absent or null field takes the caller's default
/// (HF's, or the official constructor's); a wrong type or value throws <see cref="ConfigFieldException"/> naming
/// <see cref="Source"/> and the field, so a bad config fails at load time rather than deep in a forward pass.
/// </summary>
public sealed class ConfigReader
{
    /// <summary>Reads <paramref name="json"/>, which must be an object; <paramref name="source"/> names it in errors.</summary>
    public ConfigReader(JsonElement json, string source)
    {
        Source = source;
        Json = json.ValueKind == JsonValueKind.Object ? json
            : throw new ConfigFieldException(source, $"config must be a JSON object, got {json.ValueKind}");
    }

    /// <summary>The file or section read (a path, or a name such as <c>stage_2.params</c>).</summary>
    public string Source { get; }

    /// <summary>The JSON object being read.</summary>
    public JsonElement Json { get; }

    private JsonElement? Find(string field) =>
        Json.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>An exception naming the field and why it is wrong.</summary>
    public ConfigFieldException Bad(string field, string why) => new(Source, field, why);

    /// <summary>Integer field (an integral JSON number), or <paramref name="fallback"/> when absent.</summary>
    public int Int(string field, int fallback) => Find(field) is { } v ? AsInt(field, v) : fallback;

    /// <summary>Integer field that must be present.</summary>
    public int RequiredInt(string field) => Find(field) is { } v ? AsInt(field, v) : throw Bad(field, "is missing");

    /// <summary>Positive integer field.</summary>
    public int PositiveInt(string field, int fallback)
    {
        var i = Int(field, fallback);
        return i > 0 ? i : throw Bad(field, $"must be > 0, got {i}");
    }

    /// <summary>Optional integer field (null when absent).</summary>
    public int? OptionalInt(string field) => Find(field) is { } v ? AsInt(field, v) : null;

    /// <summary>
    /// An integer or a list of <paramref name="count"/> integers (an integer is repeated), as the DiT^DH params give
    /// [backbone, head] pairs; <paramref name="fallback"/> when absent.
    /// </summary>
    public int[] Ints(string field, int count, int[] fallback)
    {
        if (Find(field) is not { } v) return fallback;
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(AsInt(field, v), count).ToArray();
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == count && v.EnumerateArray().All(IsInt))
            return v.EnumerateArray().Select(e => AsInt(field, e)).ToArray();
        throw Bad(field, $"must be an integer or a list of {count} integers, got {v.GetRawText()}");
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

    /// <summary>An activation name this project implements (<see cref="Layers.Activations"/>).</summary>
    public string Activation(string field, string fallback)
    {
        var name = String(field, fallback);
        try { Layers.Activations.Get(name); }
        catch (ArgumentException e) { throw Bad(field, e.Message); }
        return name;
    }

    /// <summary>Checks that <paramref name="field"/> = <paramref name="divisor"/> divides <paramref name="ofField"/> = <paramref name="value"/>.</summary>
    public void RequireDivides(string field, int divisor, string ofField, int value)
    {
        if (value % divisor != 0) throw Bad(field, $"({divisor}) must divide {ofField} ({value})");
    }

    /// <summary>Rejects keys the official constructor would reject as unexpected keyword arguments.</summary>
    public void RejectUnknown(IReadOnlyCollection<string> known, string model)
    {
        var unknown = Json.EnumerateObject().Select(p => p.Name).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw Bad(unknown[0], $"is not a {model} parameter" +
                                  (unknown.Count > 1 ? $" (nor is {string.Join(", ", unknown.Skip(1))})" : "") +
                                  $"; known: {string.Join(", ", known)}");
    }

    /// <summary>Reads and parses a config file; not-JSON is reported naming the file.</summary>
    public static JsonElement ReadFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses config JSON text; not-JSON is reported naming <paramref name="source"/>.</summary>
    public static JsonElement Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new ConfigFieldException(source, $"not valid JSON: {e.Message}", e); }
    }

    private static bool IsInt(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && (v.TryGetInt32(out _) || v.TryGetDouble(out var d) && IsIntegral(d));

    private static bool IsIntegral(double d) => d == Math.Floor(d) && Math.Abs(d) < int.MaxValue;

    private int AsInt(string field, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && IsIntegral(d)) return (int)d;
        throw Bad(field, $"must be an integer, got {v.GetRawText()}");
    }
}
