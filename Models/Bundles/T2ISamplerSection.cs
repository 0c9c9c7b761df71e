using System.Text.Json.Serialization;
using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>t2i.sampler</c>: how prompt jobs sample the diffusion head by default.</summary>
public sealed record T2ISamplerSection
{
    /// <summary>
    /// One of <see cref="SamplerNames.TextToImage"/>: Euler on RAE's shifted grid, or the official <c>p_sample_loop</c>.
    /// </summary>
    [JsonPropertyName("method")] public string Method { get; init; } = SamplerNames.Euler;
    /// <summary>Sampling steps (at least 1).</summary>
    [JsonPropertyName("num_steps")] public int NumSteps { get; init; } = 50;
    /// <summary>Real CFG scale with the learned null condition (1 = none; at least 1).</summary>
    [JsonPropertyName("cfg_scale")] public double CfgScale { get; init; } = 1.0;

    /// <summary>The sampler a method name means.</summary>
    public static ScaleRaeSampler Parse(string method) => SamplerNames.TextToImageSampler(method, "t2i.sampler.method");
}
