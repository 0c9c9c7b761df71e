using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Fixed-grid Heun (explicit trapezoid, torchdiffeq's <c>heun2</c> tableau): k1 = v(x, t_k),
/// k2 = v(x + dt·k1, t_{k+1}), x ← x + dt·(k1 + k2)/2. Two model calls per step; an option, not used by the
/// released configs.
/// </summary>
public sealed class HeunSampler : IFlowOdeSampler
{
    public Tensor Sample(VelocityField v, Tensor x, Tensor grid, StepObserver? onStep = null, CancellationToken cancellation = default)
    {
        if (grid.dim() != 1 || grid.shape[0] < 1) throw new ArgumentException("the time grid must be a non-empty 1-D tensor");
        var g = grid.to(x.device);
        var state = x.alias();
        for (var k = 0; k + 1 < g.shape[0]; k++)
        {
            // Between steps: a cancelled batch, or one past its compute deadline, stops here.
            cancellation.ThrowIfCancellationRequested();
            Tensor next;
            using (var scope = NewDisposeScope())
            {
                var ones1 = ones([x.shape[0]], x.dtype, x.device);
                var dt = g[k + 1] - g[k];
                var k1 = v(state, ones1 * g[k]);
                var k2 = v(state + dt * k1, ones1 * g[k + 1]);
                next = (state + dt * (k1 + k2) * 0.5).MoveToOuterDisposeScope();
            }
            state.Dispose();
            state = next;
            onStep?.Invoke(k + 1, state);
        }
        return state;
    }
}
