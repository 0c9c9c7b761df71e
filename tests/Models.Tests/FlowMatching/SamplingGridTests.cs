using RAE.Grid.Models.FlowMatching;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class SamplingGridTests(ITestOutputHelper output)
{
    [Fact]
    public void Linspace_keeps_both_endpoints_exact()
    {
        var lin = TorchLinspace.Float32(0, 0.999, 50);
        Assert.Equal(0f, lin[0]);
        Assert.Equal(0.999f, lin[^1]);
        Assert.Equal(50, lin.Length);
    }

    [Fact]
    public void Linspace_stays_within_two_float32_ulps_of_the_exact_points()
    {
        static double Ulp(double x) => MathF.BitIncrement((float)Math.Abs(x)) - (float)Math.Abs(x);
        foreach (var n in new[] { 2, 7, 16, 33, 50, 250 })
        {
            var lin = TorchLinspace.Float32(0, 0.999, n);
            for (var i = 0; i < n; i++)
            {
                var exact = 0.999f * (double)i / (n - 1);
                Assert.True(Math.Abs(lin[i] - exact) <= 2 * Ulp(exact),
                    $"n={n} i={i}: {lin[i]} vs {exact}");
            }
        }
    }

    [Fact]
    public void Official_grid_runs_from_one_down_to_the_shifted_last_point()
    {
        var s = TimeShift.Factor(768L * 16 * 16);
        var grid = SamplingGrid.Official(SamplingGrid.OfficialSteps, s).data<float>().ToArray();
        Assert.Equal(50, grid.Length);
        Assert.Equal(1f, grid[0]);
        for (var k = 1; k < grid.Length; k++) Assert.True(grid[k] < grid[k - 1], $"grid not decreasing at {k}");
        // rae-reference §3.2: the 256² grid ends at 0.00689 (no final step to 0).
        Assert.Equal(0.00689, grid[^1], 5);
    }

    [Fact]
    public void Float32_grid_is_within_3e_7_of_the_float64_formula()
    {
        foreach (var m in new[] { 16384L, 196608, 786432, 294912 })
        {
            var s = TimeShift.Factor(m);
            var f32 = SamplingGrid.Official(50, s).to(ScalarType.Float64);
            var f64 = SamplingGrid.OfficialFloat64(50, s);
            var err = (f32 - f64).abs().max().item<double>();
            output.WriteLine($"m={m} s={s:F4} max |f32 - f64| = {err:E2}");
            Assert.True(err <= 3e-7, $"m={m}: {err}");
        }
    }

    [Fact]
    public void This_libtorch_linspace_differs_from_the_official_grid_by_at_most_one_ulp()
    {
        // libtorch's own kernel depends on the CPU's vector width; the port builds the official values itself.
        var ours = TorchLinspace.Float32(0, 0.999, 50);
        var torchValues = linspace(0, 0.999, 50, dtype: ScalarType.Float32).data<float>().ToArray();
        var differing = Enumerable.Range(0, 50).Count(i => ours[i] != torchValues[i]);
        output.WriteLine($"{differing} of 50 points differ from this machine's torch.linspace");
        for (var i = 0; i < 50; i++)
            Assert.True(Math.Abs(ours[i] - torchValues[i]) <= MathF.BitIncrement(Math.Abs(ours[i])) - Math.Abs(ours[i]),
                $"point {i}: {ours[i]} vs {torchValues[i]}");
    }
}
