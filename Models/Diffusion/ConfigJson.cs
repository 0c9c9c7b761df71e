using System.Text.Json;

namespace RAE.Grid.Models.Diffusion;

/// <summary>Reads official YAML <c>params</c> (as JSON) and names the offending field in every error.</summary>
internal static class ConfigJson
{
    /// <summary>Rejects keys the official constructor would reject as unexpected keyword arguments.</summary>
    public static void CheckKeys(JsonElement p, string model, IReadOnlyCollection<string> allowed)
    {
        if (p.ValueKind != JsonValueKind.Object) throw new FormatException($"{model} params must be a JSON object");
        var unknown = p.EnumerateObject().Select(x => x.Name).Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new FormatException($"{model} params: unknown field(s) {string.Join(", ", unknown)} (known: {string.Join(", ", allowed)})");
    }

    public static int Int(JsonElement p, string name, int fallback) =>
        !p.TryGetProperty(name, out var v) ? fallback
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw new FormatException($"{name} must be an integer, got {v}");

    public static double Double(JsonElement p, string name, double fallback) =>
        !p.TryGetProperty(name, out var v) ? fallback
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : throw new FormatException($"{name} must be a number, got {v}");

    public static bool Bool(JsonElement p, string name, bool fallback) =>
        !p.TryGetProperty(name, out var v) ? fallback
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw new FormatException($"{name} must be true or false, got {v}");

    /// <summary>An integer or a list of <paramref name="count"/> integers (an integer is repeated).</summary>
    public static int[] Ints(JsonElement p, string name, int count, int[] fallback)
    {
        if (!p.TryGetProperty(name, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var single)) return Enumerable.Repeat(single, count).ToArray();
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == count
            && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)))
            return v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        throw new FormatException($"{name} must be an integer or a list of {count} integers, got {v}");
    }
}
