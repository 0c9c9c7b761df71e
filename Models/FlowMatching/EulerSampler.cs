using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Fixed-grid Euler, as torchdiffeq's <c>odeint(method="euler")</c> runs it for the official sampler:
/// x_{k+1} = x_k + (t_{k+1} − t_k)·v(x_k, t_k), with dt formed in the grid's dtype (float32) and the model given
/// t_k as a [B] tensor of the state's dtype. N grid points make N − 1 steps.
/// </summary>
public sealed class EulerSampler : IFlowOdeSampler
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
                var tk = g[k];
                var tVec = ones([x.shape[0]], x.dtype, x.device) * tk;
                var dt = g[k + 1] - tk;
                next = (state + dt * v(state, tVec)).MoveToOuterDisposeScope();
            }
            state.Dispose();
            state = next;
            // Outside the step's scope, so an observer may keep what it derives from the state.
            onStep?.Invoke(k + 1, state);
        }
        return state;
    }
}
