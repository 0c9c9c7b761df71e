using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Class-conditional sampling with the batch handling of the official src/sample.py: the noise is doubled,
/// z = [x_T; x_T], the labels become [y; null], the guided model function is integrated over the shifted grid,
/// and the first half is returned. The null half is computed even without guidance, as officially; set
/// <see cref="DoubleBatchWithoutCfg"/> to false to skip it for no-guidance and AutoGuidance runs (half the work;
/// the conditional half is the same up to float rounding of batched kernels).
/// <para>
/// The noise is per item (<see cref="ItemNoise"/>), but BLAS kernels round differently for different batch sizes
/// (about 1e-6 relative per model call on CPU), so a batched item matches its batch-of-one run only to that
/// rounding. <see cref="ItemByItem"/> integrates every item on its own instead, which makes an item's sample
/// bit-identical whatever batch it came in, at the cost of batching.
/// </para>
/// </summary>
public sealed class ClassConditionalSampler(IFlowOdeSampler solver, Tensor grid)
{
    /// <summary>The ODE solver (Euler in every released config).</summary>
    public IFlowOdeSampler Solver { get; } = solver;

    /// <summary>The float32 time grid, from t ≈ 1 (noise) down.</summary>
    public Tensor Grid { get; } = grid;

    /// <summary>Whether the null-label half is run when CFG does not need it (true = exactly sample.py).</summary>
    public bool DoubleBatchWithoutCfg { get; init; } = true;

    /// <summary>Whether items are integrated one at a time, for results independent of the batch composition.</summary>
    public bool ItemByItem { get; init; }

    /// <summary>The official sampler: <paramref name="numSteps"/>-point shifted grid and the named method.</summary>
    public static ClassConditionalSampler Official(double shift, int numSteps = SamplingGrid.OfficialSteps, string samplingMethod = SamplerNames.Euler) =>
        new(IFlowOdeSampler.ForMethod(samplingMethod), SamplingGrid.Official(numSteps, shift));

    /// <summary>
    /// Samples latents for labels <paramref name="y"/> [B] from noise <paramref name="xT"/> [B, C, H, W].
    /// <paramref name="onStep"/> sees the (doubled, if doubled) state after each step, per item with
    /// <see cref="ItemByItem"/>. <paramref name="cancellation"/> is checked between ODE steps (throws
    /// <see cref="OperationCanceledException"/>).
    /// </summary>
    public Tensor Sample(IVelocityModel model, Tensor xT, Tensor y, GuidanceOptions guidance, StepObserver? onStep = null,
        CancellationToken cancellation = default)
    {
        guidance.Validated();
        if (xT.shape[0] != y.shape[0]) throw new ArgumentException($"{xT.shape[0]} noise items but {y.shape[0]} labels");
        using var scope = NewDisposeScope();
        if (ItemByItem && xT.shape[0] > 1)
        {
            var items = Enumerable.Range(0, (int)xT.shape[0])
                .Select(i => SampleBatch(model, xT.narrow(0, i, 1), y.narrow(0, i, 1), guidance, onStep, cancellation)).ToArray();
            return cat(items, 0).MoveToOuterDisposeScope();
        }
        return SampleBatch(model, xT, y, guidance, onStep, cancellation).MoveToOuterDisposeScope();
    }

    private Tensor SampleBatch(IVelocityModel model, Tensor xT, Tensor y, GuidanceOptions guidance, StepObserver? onStep,
        CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        var n = xT.shape[0];
        var doubled = DoubleBatchWithoutCfg || guidance.Effective == GuidanceMethod.Cfg;
        var z = doubled ? cat([xT, xT], 0) : xT;
        var labels = doubled ? cat([y, full_like(y, model.NumClasses)], 0) : y;
        var field = GuidedVelocity.For(model, labels.to(xT.device), guidance);
        var final = Solver.Sample(field, z, Grid, onStep, cancellation);
        return final.narrow(0, 0, n).clone().MoveToOuterDisposeScope();
    }
}
