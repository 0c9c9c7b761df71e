using System.Globalization;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>Parses the official <c>time_dist_type</c> strings: "uniform" or "logit-normal_μ_σ".</summary>
public static class TimeSamplers
{
    /// <summary>The sampler for <paramref name="timeDistType"/> on [t0, t1] (t1 = 0.999 for velocity models).</summary>
    public static ITimeSampler Parse(string timeDistType, double t0 = 0, double t1 = SamplingGrid.OfficialT1)
    {
        var parts = timeDistType.Split('_');
        switch (parts[0])
        {
            case "uniform" when parts.Length == 1:
                return new UniformTimeSampler(t0, t1);
            case "logit-normal" when parts.Length == 3
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var mu)
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var sigma):
                return new LogitNormalTimeSampler(mu, sigma, t0, t1);
            default:
                throw new FormatException(
                    $"time_dist_type '{timeDistType}' is not supported (expected 'uniform' or 'logit-normal_<mu>_<sigma>')");
        }
    }
}
