using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Flow matching on the linear path of the official transport (<c>ICPlan</c>, "Linear"), t = 0 data, t = 1 noise:
/// x_t = (1 − t)·x1 + t·ε, target velocity u = ε − x1, loss per item = mean over the non-batch dims of
/// (v_θ(x_t, t, y) − u)² (unweighted). t is the shifted time the model sees.
/// </summary>
public static class LinearFlowMatching
{
    /// <summary>t [B] broadcast against x [B, ...].</summary>
    public static Tensor ExpandLike(Tensor t, Tensor x) => t.view([t.shape[0], .. Enumerable.Repeat(1L, (int)x.dim() - 1)]);

    /// <summary>x_t = (1 − t)·x1 + t·ε.</summary>
    public static Tensor Interpolate(Tensor x1, Tensor eps, Tensor t)
    {
        using var scope = NewDisposeScope();
        var tt = ExpandLike(t, x1);
        return ((1 - tt) * x1 + tt * eps).MoveToOuterDisposeScope();
    }

    /// <summary>u = ε − x1 (d/dt of x_t).</summary>
    public static Tensor TargetVelocity(Tensor x1, Tensor eps) => eps - x1;

    /// <summary>Mean over all dims but the first.</summary>
    public static Tensor MeanFlat(Tensor x) => x.mean(Enumerable.Range(1, (int)x.dim() - 1).Select(i => (long)i).ToArray());

    /// <summary>
    /// Official <c>Transport.training_losses</c> for given (t, ε, x1): the random draw is the caller's (see
    /// <see cref="ITimeSampler"/> and <see cref="TimeShift"/>), so a step is reproducible. train.py averages the loss.
    /// </summary>
    public static FlowMatchingTerms TrainingLosses(IVelocityModel model, Tensor x1, Tensor eps, Tensor t, Tensor y)
    {
        using var scope = NewDisposeScope();
        var xt = Interpolate(x1, eps, t);
        var ut = TargetVelocity(x1, eps);
        var pred = model.Velocity(xt, t, y);
        var loss = MeanFlat((pred - ut).pow(2));
        return new FlowMatchingTerms(xt.MoveToOuterDisposeScope(), ut.MoveToOuterDisposeScope(),
            pred.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope());
    }
}
