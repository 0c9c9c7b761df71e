using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>sampler</c>: ODE, Euler (official) or Heun, on the shifted 50-point grid by default.</summary>
public sealed record SamplerSection
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "ODE";
    [JsonPropertyName("params")] public SamplerParams Params { get; init; } = new();
}
