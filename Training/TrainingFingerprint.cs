using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>
/// What a resumable checkpoint was trained from: the settings that decide a stage's result (architecture, data,
/// optimiser, schedule, seeds), flattened to named inputs (<c>optimizer.lr</c> → <c>0.0005</c>) and hashed.
/// <see cref="TrainingCheckpoint"/> stores both in the checkpoint's metadata and, on resume, refuses a checkpoint with
/// another fingerprint before loading any tensor, naming the file, the inputs that differ and how to proceed: a
/// checkpoint of another recipe whose keys happen to fit would otherwise continue silently under this recipe's
/// schedule and ship weights that no recipe reproduces.
/// </summary>
/// <remarks>
/// A trainer fingerprints its whole options record and removes, by name (<see cref="Without"/>), only what may change
/// between resumes without changing the result: work and output paths, device, the dtype of the exported copy, the
/// checkpoint interval. A field added later is therefore fingerprinted unless someone decides otherwise (its addition
/// refuses older checkpoints, naming it as "(absent) → value"). Inputs that are inert under the other settings (the
/// GAN weights with the GAN off) stay in: a needless refusal is explained by name, a wrong resume is not noticed at
/// all. A checkpoint without a fingerprint (written before they existed) is refused too, for the same reason.
/// </remarks>
public sealed class TrainingFingerprint
{
    /// <summary>Checkpoint metadata key of <see cref="Hash"/>.</summary>
    public const string HashKey = "training.fingerprint";
    /// <summary>Checkpoint metadata key of <see cref="Inputs"/> (a JSON object), from which a refusal names the differences.</summary>
    public const string InputsKey = "training.fingerprint_inputs";

    // At most this many differences are listed, each value cut to MaxValueChars.
    const int MaxListed = 8, MaxValueChars = 60;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,  // readable values in refusals; never HTML
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    readonly SortedDictionary<string, string> _inputs;

    TrainingFingerprint(SortedDictionary<string, string> inputs)
    {
        _inputs = inputs;
        Hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(InputsJson)))[..16];
    }

    /// <summary>Every input by its dotted snake_case name, its value as compact JSON.</summary>
    public IReadOnlyDictionary<string, string> Inputs => _inputs;

    /// <summary>16 hex digits of the SHA-256 of <see cref="Inputs"/>.</summary>
    public string Hash { get; }

    string InputsJson => JsonSerializer.Serialize(_inputs, Json);

    /// <summary>The metadata entries <see cref="TrainingCheckpoint.Save"/> writes.</summary>
    public IReadOnlyDictionary<string, string> Metadata => new Dictionary<string, string> { [HashKey] = Hash, [InputsKey] = InputsJson };

    /// <summary>
    /// The fingerprint of <paramref name="settings"/> (an options record or an anonymous object): its public properties
    /// in snake_case, nested objects flattened to dotted names, arrays kept whole.
    /// </summary>
    public static TrainingFingerprint Of(object settings)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(JsonSerializer.SerializeToNode(settings, settings.GetType(), Json) as JsonObject
            ?? throw new ArgumentException($"{settings.GetType().Name} does not serialize to a JSON object", nameof(settings)), "", inputs);
        return new(inputs);
    }

    /// <summary>This fingerprint plus <paramref name="value"/> under <paramref name="name"/> (replacing any input of that name).</summary>
    public TrainingFingerprint With(string name, object? value)
    {
        var inputs = new SortedDictionary<string, string>(_inputs, StringComparer.Ordinal);
        foreach (var key in inputs.Keys.Where(k => Matches(k, name)).ToList()) inputs.Remove(key);
        Flatten(value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), Json), name, inputs);
        return new(inputs);
    }

    /// <summary>
    /// This fingerprint without the inputs <paramref name="names"/> (a name also removes its nested inputs); a name
    /// that matches nothing throws, so a renamed field is noticed rather than silently fingerprinted again.
    /// </summary>
    public TrainingFingerprint Without(params string[] names)
    {
        var inputs = new SortedDictionary<string, string>(_inputs, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var matched = inputs.Keys.Where(k => Matches(k, name)).ToList();
            if (matched.Count == 0) throw new ArgumentException($"no fingerprint input named '{name}'", nameof(names));
            foreach (var key in matched) inputs.Remove(key);
        }
        return new(inputs);
    }

    /// <summary>
    /// An image set as fingerprint inputs: its shape and the SHA-256 of its pixels and labels, so another dataset,
    /// <c>train_limit</c> or data folder is noticed whatever the caller's recipe says (one pass over the bytes: cheap next
    /// to one training epoch over them).
    /// </summary>
    public static object Data(LabeledImages data)
    {
        using var scope = NewDisposeScope();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(data.Images.cpu().contiguous().bytes);
        sha.AppendData(data.Labels.cpu().to(ScalarType.Int64).contiguous().bytes);
        return new
        {
            Images = string.Join("x", data.Images.shape),
            Classes = data.ClassNames.Count,
            Sha256 = Convert.ToHexStringLower(sha.GetHashAndReset())[..16],
        };
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> unless <paramref name="metadata"/>, read from
    /// <paramref name="checkpoint"/>, records this fingerprint; the message names the file, what differs and what to do.
    /// </summary>
    public void Verify(string checkpoint, IReadOnlyDictionary<string, string> metadata)
    {
        const string proceed = "Delete it to train this stage from the start, or train with another work folder (rae-grid train --work <folder>).";
        if (!metadata.TryGetValue(HashKey, out var recorded))
            throw new InvalidOperationException($"{checkpoint}: this checkpoint records no training fingerprint (it was written before " +
                "checkpoints carried one), so whether it was trained by this recipe cannot be checked, and resuming another recipe's " +
                $"run would go unnoticed. {proceed}");
        if (recorded == Hash) return;
        throw new InvalidOperationException($"{checkpoint}: written by a different recipe (training fingerprint {recorded}, this run " +
            $"{Hash}); {Differences(metadata)}. Resuming it would continue that run's weights, optimizer state and step under this " +
            $"recipe. {proceed}");
    }

    /// <summary>"changed: a 1 → 2, b (absent) → 3", or a note that the checkpoint did not record its inputs.</summary>
    string Differences(IReadOnlyDictionary<string, string> metadata)
    {
        Dictionary<string, string>? was = null;
        if (metadata.TryGetValue(InputsKey, out var json))
            try { was = JsonSerializer.Deserialize<Dictionary<string, string>>(json); } catch (JsonException) { }
        if (was is null) return "the checkpoint does not record its inputs";
        var changed = was.Keys.Union(_inputs.Keys).Order(StringComparer.Ordinal)
            .Select(k => (k, Old: was.GetValueOrDefault(k), New: _inputs.GetValueOrDefault(k)))
            .Where(d => d.Old != d.New)
            .Select(d => $"{d.k} {Show(d.Old)} → {Show(d.New)}").ToList();
        if (changed.Count == 0) return "its inputs are recorded alike (hashed differently)";
        var more = changed.Count > MaxListed ? $" and {changed.Count - MaxListed} more" : "";
        return "changed: " + string.Join(", ", changed.Take(MaxListed)) + more;
    }

    static string Show(string? value) => value is null ? "(absent)" : value.Length <= MaxValueChars ? value : value[..MaxValueChars] + "…";

    static bool Matches(string key, string name) => key == name || key.StartsWith(name + ".", StringComparison.Ordinal);

    static void Flatten(JsonNode? node, string name, IDictionary<string, string> into)
    {
        if (node is JsonObject o && (o.Count > 0 || name.Length == 0))
            foreach (var (key, value) in o) Flatten(value, name.Length == 0 ? key : $"{name}.{key}", into);
        else into[name] = node?.ToJsonString(Json) ?? "null";
    }
}
