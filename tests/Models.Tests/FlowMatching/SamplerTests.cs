using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class SamplerTests
{
    private static readonly Tensor Grid = tensor(new[] { 1f, 0.75f, 0.5f, 0.25f, 0.125f });

    [Fact]
    public void Euler_with_constant_velocity_stops_at_the_last_grid_point()
    {
        var x = zeros(2, 3);
        var result = new EulerSampler().Sample((s, t) => ones_like(s) * 2, x, Grid);
        // x(t_last) = x(t_0) + (t_last − t_0)·2, and no extra step to t = 0.
        Assert.True((result - (0.125 - 1.0) * 2).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Euler_gives_the_model_the_grid_time_of_each_step()
    {
        var seen = new List<float>();
        new EulerSampler().Sample((s, t) => { seen.Add(t[1].item<float>()); return zeros_like(s); }, zeros(2, 1), Grid);
        Assert.Equal(new[] { 1f, 0.75f, 0.5f, 0.25f }, seen);
    }

    [Fact]
    public void Heun_is_exact_for_a_velocity_linear_in_time()
    {
        // dx/dt = t  ⇒  x(t1) = x(t0) + (t1² − t0²)/2, which the trapezoid rule integrates exactly.
        var result = new HeunSampler().Sample((s, t) => t.view(-1, 1).expand_as(s), zeros(1, 1), Grid);
        Assert.Equal((0.125 * 0.125 - 1.0) / 2, result.item<float>(), 6);
    }

    [Fact]
    public void Step_observer_sees_every_step_in_order()
    {
        var steps = new List<int>();
        new EulerSampler().Sample((s, t) => zeros_like(s), zeros(1, 1), Grid, (k, _) => steps.Add(k));
        Assert.Equal(new[] { 1, 2, 3, 4 }, steps);
    }

    [Theory]
    [InlineData("euler", typeof(EulerSampler))]
    [InlineData("heun", typeof(HeunSampler))]
    public void Sampling_method_names_select_the_solver(string name, Type type) =>
        Assert.IsType(type, IFlowOdeSampler.ForMethod(name));

    [Fact]
    public void Unknown_sampling_method_is_rejected_naming_it() =>
        Assert.Contains("dopri5", Assert.Throws<ArgumentException>(() => IFlowOdeSampler.ForMethod("dopri5")).Message);
}
