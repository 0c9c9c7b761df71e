using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>t2i.llm</c>: the <c>ScaleRAEQwenForCausalLM</c> config and its checkpoint.</summary>
public sealed record T2ILlmSection
{
    /// <summary>HF <c>config.json</c> (model_type <c>cambrian_qwen</c> or <c>qwen2</c>, <c>mm_hidden_size</c>, …).</summary>
    [JsonPropertyName("config")] public string Config { get; init; } = "";
    /// <summary>One <c>.safetensors</c> file or a sharded <c>model.safetensors.index.json</c>.</summary>
    [JsonPropertyName("weights")] public string Weights { get; init; } = "";
    /// <summary>
    /// Key prefixes dropped before the strict load: released checkpoints also carry parts this model does not run
    /// (e.g. <c>model.vision_tower.</c>). Every other key must match exactly.
    /// </summary>
    [JsonPropertyName("skip_prefixes")] public string[] SkipPrefixes { get; init; } = [];
}
