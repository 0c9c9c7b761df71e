using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class TimeSamplerTests
{
    [Fact]
    public void Uniform_time_scales_the_uniform_draw_by_0_999()
    {
        var u = tensor(new[] { 0f, 0.5f, 1f });
        var t = TimeSamplers.Parse("uniform").FromUniform(u).data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0.5f * 0.999f, 0.999f }, t);
    }

    [Fact]
    public void Logit_normal_time_inverts_the_truncated_cdf()
    {
        // With no truncation, U = Φ(z) maps to sigmoid(μ + σz).
        var sampler = new LogitNormalTimeSampler(mu: 0.3, sigma: 2, low: 0, high: 1);
        var z = tensor(new[] { -1.5, 0.0, 0.7 }, ScalarType.Float64);
        var t = sampler.FromUniform(StandardNormal.Cdf(z));
        var expected = (z * 2 + 0.3).sigmoid();
        Assert.True((t - expected).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Logit_normal_time_stays_within_its_truncation_bounds()
    {
        var sampler = TimeSamplers.Parse("logit-normal_0_1");
        var t = sampler.FromUniform(linspace(0, 1, 101, dtype: ScalarType.Float64));
        Assert.True(t.min().item<double>() >= 0);
        Assert.True(t.max().item<double>() <= 0.999);
        Assert.InRange(t[-1].item<double>(), 0.999 - 1e-8, 0.999);
    }

    [Fact]
    public void Standard_normal_icdf_inverts_the_cdf()
    {
        var p = tensor(new[] { 1e-9, 0.01, 0.3, 0.5, 0.9, 0.999999 }, ScalarType.Float64);
        var roundTrip = StandardNormal.Cdf(StandardNormal.Icdf(p));
        Assert.True((roundTrip - p).abs().max().item<double>() < 1e-15);
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("logit-normal_0")]
    [InlineData("logit-normal_x_1")]
    public void Unknown_time_distribution_is_rejected_naming_it(string name)
    {
        var e = Assert.Throws<FormatException>(() => TimeSamplers.Parse(name));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Seeded_draws_are_reproducible()
    {
        var sampler = TimeSamplers.Parse("logit-normal_0_1");
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        Assert.Equal(sampler.Sample(5, g1).data<float>().ToArray(), sampler.Sample(5, g2).data<float>().ToArray());
    }
}
