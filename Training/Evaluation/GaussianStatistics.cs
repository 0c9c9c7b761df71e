using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>Mean μ [D] and covariance Σ [D,D] of a feature set, float64 on the CPU.</summary>
public sealed record GaussianStatistics(Tensor Mu, Tensor Sigma) : IDisposable
{
    /// <summary>μ and the unbiased (N − 1) covariance of <paramref name="features"/> [N,D], as numpy's <c>np.cov(rowvar=False)</c> in FID code.</summary>
    public static GaussianStatistics Of(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"features must be [N,D], got [{string.Join(",", features.shape)}]");
        if (features.shape[0] < 2) throw new ArgumentException($"need at least 2 feature vectors for a covariance, got {features.shape[0]}");
        using var scope = NewDisposeScope();
        var f = features.to(ScalarType.Float64).cpu();
        var mu = f.mean([0]);
        var centered = f - mu;
        var sigma = centered.T.matmul(centered) / (f.shape[0] - 1);
        return new GaussianStatistics(mu.MoveToOuterDisposeScope(), sigma.MoveToOuterDisposeScope());
    }

    public void Dispose() { Mu.Dispose(); Sigma.Dispose(); }
}
