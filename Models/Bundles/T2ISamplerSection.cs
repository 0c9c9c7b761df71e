using System.Text.Json.Serialization;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>t2i.sampler</c>: how prompt jobs sample the diffusion head by default.</summary>
public sealed record T2ISamplerSection
{
    /// <summary>Known methods: Euler on RAE's shifted grid, or the official <c>p_sample_loop</c>.</summary>
    public static readonly string[] Methods = ["euler", "official-loop"];

    /// <summary>One of <see cref="Methods"/>.</summary>
    [JsonPropertyName("method")] public string Method { get; init; } = "euler";
    /// <summary>Sampling steps (at least 1).</summary>
    [JsonPropertyName("num_steps")] public int NumSteps { get; init; } = 50;
    /// <summary>Real CFG scale with the learned null condition (1 = none; at least 1).</summary>
    [JsonPropertyName("cfg_scale")] public double CfgScale { get; init; } = 1.0;

    /// <summary>The sampler a method name means.</summary>
    public static ScaleRaeSampler Parse(string method) => method switch
    {
        "euler" => ScaleRaeSampler.Euler,
        "official-loop" => ScaleRaeSampler.OfficialLoop,
        _ => throw new ArgumentException($"t2i.sampler.method: '{method}' is not one of {string.Join(", ", Methods)}"),
    };
}
