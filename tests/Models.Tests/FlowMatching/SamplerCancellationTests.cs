using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

/// <summary>
/// The ODE solvers check their cancellation token between steps: a solve cancelled during step k makes no step after
/// it, so a cancelled or overdue diffusion batch frees its stage within one step.
/// </summary>
public class SamplerCancellationTests
{
    static readonly Tensor Grid = linspace(1.0, 0.0, 101).to(ScalarType.Float32);

    [Theory]
    [InlineData("euler", 1)]
    [InlineData("heun", 2)]
    public void A_solve_cancelled_during_a_step_stops_before_the_next(string method, int callsPerStep)
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var steps = new List<int>();
        VelocityField v = (s, t) =>
        {
            if (++calls == 3 * callsPerStep) cts.Cancel(); // during step 3
            return zeros_like(s);
        };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            IFlowOdeSampler.ForMethod(method).Sample(v, zeros(2, 1), Grid, (k, _) => steps.Add(k), cts.Token));
        Assert.Equal([1, 2, 3], steps);
        Assert.Equal(3 * callsPerStep, calls);
    }

    [Fact]
    public void An_uncancelled_token_changes_nothing()
    {
        using var cts = new CancellationTokenSource();
        var withToken = new EulerSampler().Sample((s, t) => ones_like(s) * 2, ones(1, 1), Grid, cancellation: cts.Token);
        var without = new EulerSampler().Sample((s, t) => ones_like(s) * 2, ones(1, 1), Grid);
        Assert.Equal(without.item<float>(), withToken.item<float>());
    }
}
