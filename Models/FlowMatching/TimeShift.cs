using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// The dimension-dependent time shift of RAE: s = sqrt(m / base) with m = C·H·W of the latent
/// (<c>time_dist_shift_dim</c>) and base 4096 (<c>time_dist_shift_base</c>); t' = s·t / (1 + (s − 1)·t).
/// Applied to training times and to the sampling grid.
/// </summary>
public static class TimeShift
{
    /// <summary>The default <c>time_dist_shift_base</c>.</summary>
    public const long DefaultBase = 4096;

    /// <summary>s = sqrt(m / base).</summary>
    public static double Factor(long m, long baseDim = DefaultBase)
    {
        if (m <= 0 || baseDim <= 0) throw new ArgumentException($"shift dims must be positive (m = {m}, base = {baseDim})");
        return Math.Sqrt((double)m / baseDim);
    }

    /// <summary>s for a latent of shape [C, H, W].</summary>
    public static double Factor(IReadOnlyList<long> latentShape, long baseDim = DefaultBase) =>
        Factor(latentShape.Aggregate(1L, (a, b) => a * b), baseDim);

    /// <summary>t' = s·t / (1 + (s − 1)·t) in double.</summary>
    public static double Apply(double t, double s) => s * t / (1 + (s - 1) * t);

    /// <summary>t' in float32 as torch computes it on a float32 tensor (s and s − 1 rounded to float32).</summary>
    public static float Apply(float t, double s)
    {
        float sf = (float)s, s1 = (float)(s - 1);
        return (float)((float)(sf * t) / (float)(1f + (float)(s1 * t)));
    }

    /// <summary>t' on a tensor, in the tensor's dtype, with the official operation order.</summary>
    public static Tensor Apply(Tensor t, double s)
    {
        using var scope = NewDisposeScope();
        return (t * s / (t * (s - 1) + 1)).MoveToOuterDisposeScope();
    }
}
