using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>guidance</c>: none, CFG with a t-interval, or AutoGuidance with a weak model.</summary>
public sealed record GuidanceSection
{
    [JsonPropertyName("method")] public string Method { get; init; } = "none";
    [JsonPropertyName("scale")] public double Scale { get; init; } = 1.0;
    [JsonPropertyName("t_min")] public double TMin { get; init; }
    [JsonPropertyName("t_max")] public double TMax { get; init; } = 1.0;
    [JsonPropertyName("guidance_model")] public ModelSection? GuidanceModel { get; init; }
}
