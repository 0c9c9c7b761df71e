using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// One entry of a bundle's <c>verifiers</c> list: a latent verifier for best-of-N (the first entry is the default).
/// Paths are relative to the bundle file. Which fields a type needs is checked by <see cref="Verifiers.VerifierLoader"/>.
/// </summary>
public sealed record VerifierSection
{
    /// <summary>
    /// Known verifier types: a probe on latent tokens; SigLIP-2 text–latent alignment; and Scale-RAE's two LLM verifiers,
    /// which read the bundle's <c>t2i</c> LLM (<see cref="LlmTypes"/>).
    /// </summary>
    public static readonly string[] Types = ["class-probe", "siglip2-text", "answer-logits", "prompt-confidence"];

    /// <summary>The types that score with the bundle's <c>t2i</c> LLM and take no <c>weights</c> of their own.</summary>
    public static readonly string[] LlmTypes = ["answer-logits", "prompt-confidence"];

    /// <summary><c>splice_precision</c> values: the official bf16 cast of the spliced prompt (default), or none.</summary>
    public static readonly string[] SplicePrecisions = ["official-bf16", "none"];

    /// <summary>The name requests select it by (letters, digits, '-', '_').</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>One of <see cref="Types"/>.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    /// <summary>Its weights (safetensors); required except for the <see cref="LlmTypes"/>.</summary>
    [JsonIgnore] public string Weights { get; init; } = "";
    // The JSON side of Weights: absent (not "") for the LLM verifiers, which have none.
    [JsonInclude, JsonPropertyName("weights"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? WeightsJson { get => Weights.Length == 0 ? null : Weights; init => Weights = value ?? ""; }
    /// <summary>Its model config (HF <c>config.json</c>), when the type has one.</summary>
    [JsonPropertyName("config"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Config { get; init; }
    /// <summary>Tokenizer files of a text verifier, relative to the bundle (e.g. <c>vocab.json</c>, <c>merges.txt</c>, or <c>tokenizer.model</c>).</summary>
    [JsonPropertyName("tokenizer"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string[]? Tokenizer { get; init; }
    /// <summary>LLM verifiers: how the spliced prompt enters the LLM (one of <see cref="SplicePrecisions"/>; default official-bf16).</summary>
    [JsonPropertyName("splice_precision"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SplicePrecision { get; init; }
    /// <summary>answer-logits: the greedy answer's <c>max_new_tokens</c> (default the script's 512; positive).</summary>
    [JsonPropertyName("max_new_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? MaxNewTokens { get; init; }
    /// <summary>A human description (how it was trained, on what).</summary>
    [JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Description { get; init; }
}
