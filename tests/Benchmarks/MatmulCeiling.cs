using System.Diagnostics;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>
/// The machine's attainable matmul throughput, measured in the same run as the stages so every stage's GFLOP/s can
/// be read against it: square matmuls of a few sizes, best of several repeats.
/// </summary>
public static class MatmulCeiling
{
    /// <summary>Best GFLOP/s over n×n matmuls (2n³ FLOPs each) for the given dtype.</summary>
    public static double Measure(ScalarType dtype, Device device, int n = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn([n, n], dtype: dtype, device: device);
        var b = randn([n, n], dtype: dtype, device: device);
        using (var _ = matmul(a, b)) { } // warm-up
        double best = 0;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            using var c = matmul(a, b);
            if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize();
            sw.Stop();
            best = Math.Max(best, 2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
