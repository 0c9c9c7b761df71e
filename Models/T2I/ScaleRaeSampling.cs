using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.T2I;

/// <summary>Samplers for Scale-RAE's diffusion head: flow time t = 1 is noise, t = 0 data, times shifted by the latent size.</summary>
public static class ScaleRaeSampling
{
    /// <summary>The latent-size shift s = sqrt(C·L / 4096) (1 / the official <c>input_base_dimension_ratio</c>).</summary>
    public static double ShiftFactor(int channels, int tokens) => TimeShift.Factor((long)channels * tokens);

    /// <summary>
    /// The recommended sampler: Euler on RAE's official grid t_k = shift(1 − linspace(0, 0.999, steps + 1)) in float32,
    /// <paramref name="steps"/> steps, no final step to 0. <paramref name="cancellation"/> is checked between steps.
    /// </summary>
    public static Tensor Euler(VelocityField v, Tensor noise, int steps, double shift, CancellationToken cancellation = default)
    {
        using var grid = SamplingGrid.Official(steps + 1, shift);
        return new EulerSampler().Sample(v, noise, grid, cancellation: cancellation);
    }

    /// <summary>The official <c>p_sample_loop</c> on the pairs of <see cref="OfficialLoopSchedule.Pairs"/>.</summary>
    public static Tensor OfficialLoop(VelocityField v, Tensor noise, IReadOnlyList<(float Current, float Next)> pairs,
        CancellationToken cancellation = default)
    {
        var x = noise.alias();
        foreach (var (tc, tn) in pairs)
        {
            if (cancellation.IsCancellationRequested) { x.Dispose(); cancellation.ThrowIfCancellationRequested(); }
            using var scope = NewDisposeScope();
            var t = full([noise.shape[0]], tc, noise.dtype, noise.device);
            var next = (x + (tn - tc) * v(x, t)).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }
        return x;
    }
}
