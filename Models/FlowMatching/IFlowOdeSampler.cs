using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>A fixed-grid ODE solver for the probability-flow ODE dx/dt = v(x, t).</summary>
public interface IFlowOdeSampler
{
    /// <summary>
    /// Integrates from <paramref name="x"/> at grid[0] along the float32 <paramref name="grid"/> and returns the state
    /// at its last point (no extra step to t = 0). <paramref name="cancellation"/> is checked before every step, so a
    /// cancelled or overdue solve stops within one step (throwing <see cref="OperationCanceledException"/>).
    /// </summary>
    Tensor Sample(VelocityField v, Tensor x, Tensor grid, StepObserver? onStep = null, CancellationToken cancellation = default);

    /// <summary>A solver by the official <c>sampling_method</c> name (<see cref="SamplerNames.OdeSolver"/>).</summary>
    static IFlowOdeSampler ForMethod(string samplingMethod) => SamplerNames.OdeSolver(samplingMethod);
}
