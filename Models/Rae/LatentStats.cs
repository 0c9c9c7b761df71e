using static TorchSharp.torch;

namespace RAE.Grid.Models.Rae;

/// <summary>
/// Per-(channel, position) latent statistics of the official <c>stat.pt</c>: {"mean": [C,H,W] or None, "var": [C,H,W]}.
/// Encode normalizes z ← (z − mean)/sqrt(var + eps); decode inverts it. A missing mean is 0, a missing var is 1
/// (the released DINOv2-B 256 stats have no mean).
/// </summary>
public sealed class LatentStats(Tensor? mean, Tensor? var, double eps = 1e-5)
{
    /// <summary>The official epsilon added to the variance.</summary>
    public const double DefaultEps = 1e-5;

    public Tensor? Mean { get; } = mean;
    public Tensor? Var { get; } = var;
    public double Eps { get; } = eps;

    /// <summary>Stats that change nothing (no stats file configured).</summary>
    public static LatentStats Identity => new(null, null);

    /// <summary>(z − mean) / sqrt(var + eps), on z's device and dtype.</summary>
    public Tensor Normalize(Tensor z)
    {
        if (Mean is not null) z = z - Mean.to(z.dtype, z.device);
        if (Var is not null) z = z / (Var.to(z.dtype, z.device) + Eps).sqrt();
        return z;
    }

    /// <summary>z · sqrt(var + eps) + mean, on z's device and dtype.</summary>
    public Tensor Denormalize(Tensor z)
    {
        if (Var is not null) z = z * (Var.to(z.dtype, z.device) + Eps).sqrt();
        if (Mean is not null) z = z + Mean.to(z.dtype, z.device);
        return z;
    }
}
