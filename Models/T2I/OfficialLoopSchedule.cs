using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// The time pairs of Scale-RAE's official sampler, <c>transport.RectifiedFlow.p_sample_loop</c> as
/// <c>FullSequenceRectifiedFlowProjector.infer</c> runs it. Grid T[j] = shift((j+1)/N) (numpy linspace(1/N, 1, N),
/// float64), used indices u = <c>space_timesteps(N, steps)</c>; steps x += (T[u[i−1]] − T[u[i]])·v(x, T[u[i]]) for
/// i = n−2..1, then a "final step" from T[u[n−2]] to T[u[n−1]] = 1 with the stale time — back towards noise. Every
/// time is rounded to float32 (<c>torch.tensor(float)</c>). Reproduced as is; <see cref="ScaleRaeSampling.Euler"/> is
/// the recommended sampler.
/// </summary>
public static class OfficialLoopSchedule
{
    /// <summary><c>space_timesteps(numTimesteps, str(steps))</c> of improved-diffusion, one section.</summary>
    public static int[] UsedTimesteps(int numTimesteps, int steps)
    {
        if (steps < 2 || steps > numTimesteps) throw new ArgumentException($"cannot take {steps} of {numTimesteps} timesteps");
        var frac = (numTimesteps - 1) / (double)(steps - 1);
        var taken = new SortedSet<int>();
        var cur = 0.0;
        for (var i = 0; i < steps; i++)
        {
            taken.Add((int)Math.Round(cur, MidpointRounding.ToEven)); // Python's round()
            cur += frac;
        }
        return [.. taken];
    }

    /// <summary><c>numpy.linspace(start, stop, num)</c> in float64 with numpy's operation order.</summary>
    public static double[] NumpyLinspace(double start, double stop, int num)
    {
        var step = (stop - start) / (num - 1);
        var y = new double[num];
        for (var i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }

    /// <summary>The (t_curr, t_next) pairs in loop order, float32 values, for latent shift factor <paramref name="shift"/>.</summary>
    public static (float Current, float Next)[] Pairs(double shift, int steps = 50, int numTimesteps = 1000)
    {
        var grid = NumpyLinspace(1.0 / numTimesteps, 1, numTimesteps).Select(t => (float)TimeShift.Apply(t, shift)).ToArray();
        var u = UsedTimesteps(numTimesteps, steps);
        var n = u.Length;
        var pairs = new List<(float, float)>();
        for (var i = n - 2; i >= 1; i--) pairs.Add((grid[u[i]], grid[u[i - 1]]));
        pairs.Add((grid[u[n - 2]], grid[u[n - 1]]));
        return [.. pairs];
    }
}
