using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// The official ODE time grid (transport/integrators.py <c>ode</c>): t_k = shift(1 − linspace(t0, t1, N)) from
/// noise (t ≈ 1) towards data, with t0 = 0 and t1 = 1 − 1/1000 for velocity models; built in float32 like torch.
/// </summary>
public static class SamplingGrid
{
    /// <summary>Steps in every released sampling config (49 Euler steps).</summary>
    public const int OfficialSteps = 50;

    /// <summary>End of the integration interval before reversal, 1 − 1/1000 (<c>check_interval</c>).</summary>
    public const double OfficialT1 = 1 - 1.0 / 1000;

    /// <summary>The float32 grid [N] exactly as the official code builds it.</summary>
    public static Tensor Official(int numSteps, double shift, double t0 = 0, double t1 = OfficialT1)
    {
        var lin = TorchLinspace.Float32(t0, t1, numSteps);
        var grid = lin.Select(x => TimeShift.Apply((float)(1f - x), shift)).ToArray();
        return tensor(grid, ScalarType.Float32);
    }

    /// <summary>The same formula in float64 (the exact grid the float32 one approximates).</summary>
    public static Tensor OfficialFloat64(int numSteps, double shift, double t0 = 0, double t1 = OfficialT1)
    {
        var lin = TorchLinspace.Float64(t0, t1, numSteps);
        return tensor(lin.Select(x => TimeShift.Apply(1 - x, shift)).ToArray(), ScalarType.Float64);
    }
}
