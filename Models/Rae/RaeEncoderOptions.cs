using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Rae;

/// <summary>
/// The encode-side parameters of the official RAE module (YAML <c>stage_1.params</c>): <c>encoder_input_size</c>
/// (224 for the 256-px pipeline, 448 for 512-px), <c>noise_tau</c> (0.8 when training a decoder, 0 at inference),
/// <c>reshape_to_2d</c>; plus the σ distribution, which the official code does not expose.
/// </summary>
public sealed record RaeEncoderOptions(
    int EncoderInputSize,
    double NoiseTau = 0,
    NoiseSigmaDistribution NoiseDistribution = NoiseSigmaDistribution.Uniform,
    bool ReshapeTo2d = true)
{
    /// <summary>Validates the values, naming the bad field.</summary>
    public RaeEncoderOptions Validate()
    {
        if (EncoderInputSize <= 0) throw new ArgumentException($"encoder_input_size must be > 0, got {EncoderInputSize}");
        if (NoiseTau < 0 || double.IsNaN(NoiseTau)) throw new ArgumentException($"noise_tau must be >= 0, got {NoiseTau}");
        return this;
    }

    /// <summary>
    /// Reads the official parameter names (<c>encoder_input_size</c>, <c>noise_tau</c>, <c>reshape_to_2d</c>, optional
    /// <c>noise_distribution</c>: "uniform" | "half_normal"); errors are <see cref="ConfigFieldException"/>s naming
    /// <paramref name="source"/> and the field.
    /// </summary>
    public static RaeEncoderOptions FromJson(JsonElement json, string source = "stage_1.params")
    {
        var r = new ConfigReader(json, source);
        var size = r.RequiredInt("encoder_input_size");
        if (size <= 0) throw r.Bad("encoder_input_size", $"must be > 0, got {size}");
        var tau = r.Double("noise_tau", 0);
        if (!(tau >= 0)) throw r.Bad("noise_tau", $"must be >= 0, got {tau}");
        var reshape = r.Bool("reshape_to_2d", true);
        var dist = r.String("noise_distribution", "uniform") switch
        {
            "uniform" => NoiseSigmaDistribution.Uniform,
            "half_normal" => NoiseSigmaDistribution.HalfNormal,
            var other => throw r.Bad("noise_distribution", $"must be 'uniform' or 'half_normal', got '{other}'"),
        };
        return new RaeEncoderOptions(size, tau, dist, reshape).Validate();
    }
}
