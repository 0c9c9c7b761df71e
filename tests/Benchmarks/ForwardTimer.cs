using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>A timing: median and best of the repeats in milliseconds, and whether the last output was finite.</summary>
public sealed record Measurement(double MedianMs, double MinMs, bool Finite);

/// <summary>
/// Times a forward: <see cref="Warmup"/> untimed runs (oneDNN builds its kernels on the first call), then the
/// median of <see cref="Repeats"/> timed runs, each in its own dispose scope so no output outlives its run.
/// </summary>
public sealed class ForwardTimer(int warmup, int repeats, Device device)
{
    public int Warmup { get; } = warmup;
    public int Repeats { get; } = repeats;

    public Measurement Time(Func<Tensor> run)
    {
        for (var i = 0; i < Warmup; i++)
        {
            using var scope = NewDisposeScope();
            run();
            Sync();
        }
        var times = new double[Repeats];
        var finite = true;
        for (var i = 0; i < Repeats; i++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            var y = run();
            Sync();
            sw.Stop();
            times[i] = sw.Elapsed.TotalMilliseconds;
            // Random weights can overflow in bf16; a non-finite output is flagged, not hidden.
            if (i == Repeats - 1) finite = y.isfinite().all().item<bool>();
        }
        Array.Sort(times);
        var median = Repeats % 2 == 1 ? times[Repeats / 2] : (times[Repeats / 2 - 1] + times[Repeats / 2]) / 2;
        return new Measurement(median, times[0], finite);
    }

    private void Sync()
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }
}
