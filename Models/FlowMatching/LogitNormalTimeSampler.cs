using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Official <c>logit-normal_μ_σ</c> time distribution (<c>truncated_logitnormal_sample</c>): logit(t) ~ N(μ, σ²)
/// truncated to t ∈ [low, high] by inverse-CDF sampling: U' = Φ(α) + (Φ(β) − Φ(α))·U with α, β the standardised
/// logit bounds, t = sigmoid(μ + σ·Φ⁻¹(U')), clamped to [low, high]. Computed in float64 (the official code uses
/// the default dtype) and returned in the uniforms' dtype.
/// </summary>
public sealed class LogitNormalTimeSampler : ITimeSampler
{
    public double Mu { get; }
    public double Sigma { get; }
    public double Low { get; }
    public double High { get; }

    public LogitNormalTimeSampler(double mu = 0, double sigma = 1, double low = 0, double high = SamplingGrid.OfficialT1)
    {
        if (!(sigma > 0)) throw new ArgumentException($"logit-normal sigma must be positive, got {sigma}");
        if (!(low >= 0 && low < high && high <= 1)) throw new ArgumentException($"logit-normal bounds must satisfy 0 ≤ low < high ≤ 1, got [{low}, {high}]");
        (Mu, Sigma, Low, High) = (mu, sigma, low, high);
    }

    public Tensor FromUniform(Tensor u)
    {
        using var scope = NewDisposeScope();
        var f64 = ScalarType.Float64;
        var bounds = tensor(new[] { Low, High }, f64).logit();                // ±inf at 0 and 1
        var standardised = (bounds - Mu) / Sigma;
        var cdf = StandardNormal.Cdf(standardised);
        var cdfAlpha = cdf[0];
        var cdfBeta = cdf[1];
        var uu = cdfAlpha + (cdfBeta - cdfAlpha) * u.to(f64).clamp(0, 1);
        var z = StandardNormal.Icdf(uu) * Sigma + Mu;
        var t = z.sigmoid().clamp(Low, High);
        return t.to(u.dtype == ScalarType.Float64 ? f64 : u.dtype).MoveToOuterDisposeScope();
    }
}
