using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Fréchet distance between two Gaussians fitted to feature sets (the FID formula with any feature extractor):
/// ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1^½ Σ2 Σ1^½)^½). Float64; the square roots are symmetric PSD roots by
/// <c>linalg.eigh</c> with negative eigenvalues (round-off of singular covariances) clamped to 0, so the trace term
/// is real without scipy's complex <c>sqrtm</c> and its imaginary-part check.
/// </summary>
public static class FrechetDistance
{
    /// <summary>Fréchet distance between the Gaussians fitted to <paramref name="features1"/> and <paramref name="features2"/> ([N,D] each).</summary>
    public static double Compute(Tensor features1, Tensor features2)
    {
        if (features1.dim() != 2 || features2.dim() != 2 || features1.shape[1] != features2.shape[1])
            throw new ArgumentException($"feature sets must be [N,D] with the same D, got [{string.Join(",", features1.shape)}] and [{string.Join(",", features2.shape)}]");
        using var a = GaussianStatistics.Of(features1);
        using var b = GaussianStatistics.Of(features2);
        return Compute(a, b);
    }

    /// <summary>Fréchet distance between two Gaussians given by their statistics.</summary>
    public static double Compute(GaussianStatistics a, GaussianStatistics b)
    {
        using var scope = NewDisposeScope();
        var (mu1, mu2) = (a.Mu.to(ScalarType.Float64), b.Mu.to(ScalarType.Float64));
        var (s1, s2) = (a.Sigma.to(ScalarType.Float64), b.Sigma.to(ScalarType.Float64));
        var meanTerm = (mu1 - mu2).square().sum().item<double>();
        var root1 = SqrtPsd(s1);
        var product = root1.matmul(s2).matmul(root1);
        // Tr(M^½) = Σ sqrt(λ_i(M)): M = Σ1^½ Σ2 Σ1^½ is symmetric PSD up to round-off.
        var eig = linalg.eigvalsh(Symmetrize(product)).clamp_min(0).sqrt().sum().item<double>();
        return meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * eig;
    }

    /// <summary>The symmetric PSD square root V·diag(sqrt(max(λ,0)))·Vᵀ of a symmetric matrix.</summary>
    public static Tensor SqrtPsd(Tensor symmetric)
    {
        using var scope = NewDisposeScope();
        var (l, v) = linalg.eigh(Symmetrize(symmetric));
        return (v * l.clamp_min(0).sqrt().unsqueeze(0)).matmul(v.T).MoveToOuterDisposeScope();
    }

    static Tensor Symmetrize(Tensor m) => (m + m.T) / 2;
}
