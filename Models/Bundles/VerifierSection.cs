using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// One entry of a bundle's <c>verifiers</c> list: a latent verifier for best-of-N (the first entry is the default).
/// Paths are relative to the bundle file. Which fields a type needs is checked by <see cref="Verifiers.VerifierLoader"/>.
/// </summary>
public sealed record VerifierSection
{
    /// <summary>Known verifier types: a probe on latent tokens; SigLIP-2 text–latent alignment.</summary>
    public static readonly string[] Types = ["class-probe", "siglip2-text"];

    /// <summary>The name requests select it by (letters, digits, '-', '_').</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>One of <see cref="Types"/>.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    /// <summary>Its weights (safetensors).</summary>
    [JsonPropertyName("weights")] public string Weights { get; init; } = "";
    /// <summary>Its model config (HF <c>config.json</c>), when the type has one.</summary>
    [JsonPropertyName("config"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Config { get; init; }
    /// <summary>Tokenizer files of a text verifier, relative to the bundle (e.g. <c>vocab.json</c>, <c>merges.txt</c>, or <c>tokenizer.model</c>).</summary>
    [JsonPropertyName("tokenizer"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string[]? Tokenizer { get; init; }
    /// <summary>A human description (how it was trained, on what).</summary>
    [JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Description { get; init; }
}
