using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// <c>t2i</c>: a Scale-RAE text-to-image model beside the bundle's <c>stage_1</c> RAE — the LLM checkpoint (which holds
/// every component under the official keys), the diffusion head's constructor arguments, the Qwen2 tokenizer files, the
/// prompt templates, the sampler defaults and the prompt length limit. Paths are relative to the bundle file.
/// </summary>
public sealed record T2ISection
{
    /// <summary>The HF config and the one checkpoint (single or sharded safetensors).</summary>
    [JsonPropertyName("llm")] public T2ILlmSection Llm { get; init; } = new();
    /// <summary>The LightningDiT's official constructor arguments (<see cref="T2I.ScaleRaeDiTConfig.FromJson"/>).</summary>
    [JsonPropertyName("diff_head")] public JsonObject? DiffHead { get; init; }
    /// <summary>Qwen2 tokenizer files: <c>tokenizer.json</c>, or <c>vocab.json</c> + <c>merges.txt</c> (+ <c>tokenizer_config.json</c>).</summary>
    [JsonPropertyName("tokenizer")] public string[] Tokenizer { get; init; } = [];
    /// <summary>The texts of the official prompt templates.</summary>
    [JsonPropertyName("templates")] public T2ITemplates Templates { get; init; } = new();
    /// <summary>Sampler defaults of prompt jobs.</summary>
    [JsonPropertyName("sampler")] public T2ISamplerSection Sampler { get; init; } = new();
    /// <summary>Longest prompt accepted, in tokens of the bare prompt (the template is not counted).</summary>
    [JsonPropertyName("max_prompt_tokens")] public int MaxPromptTokens { get; init; } = 128;
}
