using RAE.Grid.Training.Evaluation;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Evaluation;

public class FrechetDistanceTests
{
    static Tensor Samples(long seed, int n, int d)
    {
        using var g = new Generator((ulong)seed);
        return randn([n, d], dtype: ScalarType.Float64, generator: g);
    }

    [Fact]
    public void Frechet_distance_of_a_set_with_itself_is_zero()
    {
        var f = Samples(1, 200, 6);
        Assert.Equal(0, FrechetDistance.Compute(f, f.clone()), 9);
    }

    [Fact]
    public void Frechet_distance_of_a_pure_shift_is_the_squared_mean_difference()
    {
        var f = Samples(2, 300, 5);
        var shift = tensor(new[] { 1.0, -2.0, 0.5, 0.0, 3.0 });
        Assert.Equal(1 + 4 + 0.25 + 0 + 9, FrechetDistance.Compute(f, f + shift), 9);
    }

    [Fact]
    public void Frechet_distance_of_exact_statistics_matches_the_closed_form_for_non_commuting_covariances()
    {
        // Σ1 = I, Σ2 = Q·diag(λ)·Qᵀ: Tr(I + Σ2 − 2 Σ2^½) = Σ (1 − sqrt λ_i)².
        double[] lambda = [0.25, 1.0, 4.0, 9.0];
        var (q, _) = linalg.qr(Samples(3, 4, 4));
        var sigma2 = q.matmul(diag(tensor(lambda))).matmul(q.T);
        var mu1 = zeros(4, dtype: ScalarType.Float64);
        var mu2 = tensor(new[] { 1.0, 0.0, -1.0, 2.0 });
        var expected = 6.0 + lambda.Sum(l => Math.Pow(1 - Math.Sqrt(l), 2));
        var fd = FrechetDistance.Compute(new GaussianStatistics(mu1, eye(4, dtype: ScalarType.Float64)), new GaussianStatistics(mu2, sigma2));
        Assert.Equal(expected, fd, 9);
    }

    [Fact]
    public void Frechet_distance_between_samples_of_two_gaussians_approaches_the_closed_form()
    {
        // N(μ1, diag(σ1²)) vs N(μ2, diag(σ2²)): FD = ‖μ1 − μ2‖² + Σ (σ1 − σ2)².
        double[] s1 = [1.0, 0.5, 2.0], s2 = [2.0, 0.5, 1.0];
        double[] m1 = [0.0, 1.0, 0.0], m2 = [1.0, 1.0, -1.0];
        var a = Samples(4, 40_000, 3) * tensor(s1) + tensor(m1);
        var b = Samples(5, 40_000, 3) * tensor(s2) + tensor(m2);
        var expected = m1.Zip(m2, (x, y) => (x - y) * (x - y)).Sum() + s1.Zip(s2, (x, y) => (x - y) * (x - y)).Sum(); // 2 + 2
        Assert.InRange(FrechetDistance.Compute(a, b), expected - 0.1, expected + 0.1);
    }

    [Fact]
    public void Psd_square_root_squares_back_and_clamps_negative_round_off()
    {
        var f = Samples(6, 3, 5); // 3 samples in 5-D: a rank-2 covariance, eigenvalues ~0 or slightly negative
        using var stats = GaussianStatistics.Of(f);
        var root = FrechetDistance.SqrtPsd(stats.Sigma);
        Assert.True(allclose(root.matmul(root), stats.Sigma, rtol: 1e-9, atol: 1e-9));
        Assert.False(root.isnan().any().item<bool>());
    }
}
