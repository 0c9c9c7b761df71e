using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Φ and Φ⁻¹ of N(0, 1) on tensors, with torch.distributions.Normal's formulas (erf / erfinv), so float64 inputs
/// give the official values to the last bits.
/// </summary>
public static class StandardNormal
{
    /// <summary>Φ(x) = ½(1 + erf(x/√2)).</summary>
    public static Tensor Cdf(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ((special.erf(x / Math.Sqrt(2)) + 1) * 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>Φ⁻¹(p) = √2·erfinv(2p − 1).</summary>
    public static Tensor Icdf(Tensor p)
    {
        using var scope = NewDisposeScope();
        return (special.erfinv(p * 2 - 1) * Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}
