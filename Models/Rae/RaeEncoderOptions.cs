using System.Text.Json;

namespace RAE.Grid.Models.Rae;

/// <summary>How the per-sample noise scale σ of RAE's noise augmentation is drawn.</summary>
public enum NoiseSigmaDistribution
{
    /// <summary>σ = τ·U(0,1): what the official code (<c>RAE.noising</c>) does.</summary>
    Uniform,
    /// <summary>σ = |N(0, τ²)|: what both papers write.</summary>
    HalfNormal,
}

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

    /// <summary>Reads the official parameter names (<c>encoder_input_size</c>, <c>noise_tau</c>, <c>reshape_to_2d</c>, optional <c>noise_distribution</c>: "uniform" | "half_normal").</summary>
    public static RaeEncoderOptions FromJson(JsonElement json)
    {
        int size = json.TryGetProperty("encoder_input_size", out var s) && s.TryGetInt32(out var si) ? si
            : throw new ArgumentException("encoder_input_size is missing or not an integer");
        double tau = json.TryGetProperty("noise_tau", out var t) ? (t.ValueKind == JsonValueKind.Number ? t.GetDouble()
            : throw new ArgumentException("noise_tau must be a number")) : 0;
        bool reshape = !json.TryGetProperty("reshape_to_2d", out var r) || (r.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? r.GetBoolean() : throw new ArgumentException("reshape_to_2d must be true or false"));
        var dist = NoiseSigmaDistribution.Uniform;
        if (json.TryGetProperty("noise_distribution", out var d))
            dist = d.GetString() switch
            {
                "uniform" => NoiseSigmaDistribution.Uniform,
                "half_normal" => NoiseSigmaDistribution.HalfNormal,
                var other => throw new ArgumentException($"noise_distribution must be 'uniform' or 'half_normal', got '{other}'"),
            };
        return new RaeEncoderOptions(size, tau, dist, reshape).Validate();
    }
}
