using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class LinearFlowMatchingTests
{
    [Fact]
    public void Interpolant_is_data_at_time_zero_and_noise_at_time_one()
    {
        var x1 = randn(2, 3, 4, 4);
        var eps = randn(2, 3, 4, 4);
        var xt = LinearFlowMatching.Interpolate(x1, eps, tensor(new[] { 0f, 1f }));
        Assert.True((xt[0] - x1[0]).abs().max().item<float>() == 0);
        Assert.True((xt[1] - eps[1]).abs().max().item<float>() == 0);
    }

    [Fact]
    public void Target_velocity_is_the_time_derivative_of_the_interpolant()
    {
        var x1 = randn(1, 2, 2, 2, dtype: ScalarType.Float64);
        var eps = randn(1, 2, 2, 2, dtype: ScalarType.Float64);
        var h = 1e-6;
        var a = LinearFlowMatching.Interpolate(x1, eps, tensor(new[] { 0.4 }, ScalarType.Float64));
        var b = LinearFlowMatching.Interpolate(x1, eps, tensor(new[] { 0.4 + h }, ScalarType.Float64));
        Assert.True(((b - a) / h - LinearFlowMatching.TargetVelocity(x1, eps)).abs().max().item<double>() < 1e-6);
    }

    [Fact]
    public void Loss_is_zero_for_the_true_velocity_and_per_item_otherwise()
    {
        var x1 = randn(2, 3, 4, 4);
        var eps = randn(2, 3, 4, 4);
        var perfect = new OracleModel(eps - x1, 0);
        var terms = LinearFlowMatching.TrainingLosses(perfect, x1, eps, tensor(new[] { 0.2f, 0.7f }), tensor(new long[] { 1, 2 }));
        Assert.Equal(new[] { 0f, 0f }, terms.Loss.data<float>().ToArray());

        var off = new OracleModel(eps - x1, 0.5);
        var loss = LinearFlowMatching.TrainingLosses(off, x1, eps, tensor(new[] { 0.2f, 0.7f }), tensor(new long[] { 1, 2 })).Loss;
        Assert.Equal(new long[] { 2 }, loss.shape);
        Assert.True((loss - 0.25f).abs().max().item<float>() < 1e-6, "mean over C, H, W of 0.5²");
    }

    private sealed class OracleModel(Tensor target, double offset) : IVelocityModel
    {
        public int NumClasses => 10;
        public int InChannels => 3;
        public int InputSize => 4;
        public Tensor Velocity(Tensor x, Tensor t, Tensor y) => target + offset;
    }
}
