using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary>A diffusion model block (<c>stage_2</c> or <c>guidance.guidance_model</c>): target class, params, checkpoint.</summary>
public sealed record ModelSection
{
    public static readonly string[] Targets = ["DiTwDDTHead", "LightningDiT"];
    [JsonPropertyName("target")] public string Target { get; init; } = "DiTwDDTHead";
    /// <summary>Constructor params exactly as in the official YAML (input_size, hidden_size, depth, ...).</summary>
    [JsonPropertyName("params")] public JsonObject? Params { get; init; }
    [JsonPropertyName("ckpt")] public string Ckpt { get; init; } = "";
}
