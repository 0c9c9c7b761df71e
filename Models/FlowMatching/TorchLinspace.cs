namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// <c>torch.linspace(start, end, steps)</c> in float32, value for value as the PyTorch CPU kernel that produced the
/// official sampling grids (AVX2 build): step = (end − start)/(steps − 1) in float32; the vectorised part, in
/// pairs of 8-lane vectors while 16 elements remain, yields base + l·step with base = start + step·i; the
/// remaining elements are start + step·i below steps/2 and end − step·(steps − 1 − i) from there on. The shifted
/// grids of the golden cases match this bit for bit, whatever CPU runs the port.
/// </summary>
public static class TorchLinspace
{
    private const int Lanes = 8;

    /// <summary>The float32 values of torch.linspace(start, end, steps) (steps ≤ 32768, one parallel chunk).</summary>
    public static float[] Float32(double start, double end, int steps)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be non-negative");
        var result = new float[steps];
        if (steps == 0) return result;
        float s = (float)start, e = (float)end;
        if (steps == 1) { result[0] = s; return result; }
        var step = (float)((float)(e - s) / (float)(steps - 1));
        int half = steps / 2, i = 0;
        for (; i <= steps - 2 * Lanes; i += 2 * Lanes)
            for (var v = i; v < i + 2 * Lanes; v += Lanes)
            {
                var baseValue = (float)(s + (float)(step * v));
                for (var l = 0; l < Lanes; l++) result[v + l] = (float)(baseValue + (float)(l * step));
            }
        for (; i < steps; i++)
            result[i] = i < half ? (float)(s + (float)(step * i)) : (float)(e - (float)(step * (steps - i - 1)));
        return result;
    }

    /// <summary>torch.linspace in float64 (same halves rule, computed directly; differences are far below float32 ulps).</summary>
    public static double[] Float64(double start, double end, int steps)
    {
        var result = new double[Math.Max(steps, 0)];
        if (steps <= 0) return result;
        if (steps == 1) { result[0] = start; return result; }
        var step = (end - start) / (steps - 1);
        for (var i = 0; i < steps; i++) result[i] = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
        return result;
    }
}
