using System.Text.Json.Serialization;
using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Models.Bundles;

public sealed record SamplerParams
{
    [JsonPropertyName("sampling_method")] public string SamplingMethod { get; init; } = SamplerNames.Euler;
    [JsonPropertyName("num_steps")] public int NumSteps { get; init; } = 50;
    [JsonPropertyName("atol")] public double Atol { get; init; } = 1e-6;
    [JsonPropertyName("rtol")] public double Rtol { get; init; } = 1e-3;
    [JsonPropertyName("reverse")] public bool Reverse { get; init; }
}
