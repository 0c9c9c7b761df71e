using RAE.Grid.Training.Evaluation;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Evaluation;

public class SsimTests
{
    static Tensor RandomImages(long seed, int b, int c, int h, int w)
    {
        using var g = new Generator((ulong)seed);
        return rand([b, c, h, w], generator: g);
    }

    [Fact]
    public void Ssim_of_identical_images_is_one()
    {
        var x = RandomImages(1, 2, 3, 16, 16);
        Assert.Equal(1.0, Ssim.Compute(x, x.clone()), 12);
    }

    [Fact]
    public void Ssim_is_symmetric_and_lower_for_more_noise()
    {
        var x = RandomImages(2, 2, 3, 20, 20);
        using var g = new Generator(3);
        var noise = randn([2, 3, 20, 20], generator: g);
        var slight = (x + 0.02f * noise).clamp(0, 1);
        var heavy = (x + 0.3f * noise).clamp(0, 1);
        Assert.Equal(Ssim.Compute(x, heavy), Ssim.Compute(heavy, x), 12);
        var (s1, s2) = (Ssim.Compute(x, slight), Ssim.Compute(x, heavy));
        Assert.True(s1 < 1 && s2 < s1, $"SSIM with slight noise {s1}, with heavy noise {s2}");
    }

    [Fact]
    public void Ssim_of_two_constant_images_is_the_luminance_term()
    {
        // All variances and the covariance vanish: SSIM = (2ab + C1)/(a² + b² + C1) · C2/C2.
        const double a = 0.2, b = 0.7, c1 = 0.01 * 0.01;
        var expected = (2 * a * b + c1) / (a * a + b * b + c1);
        var s = Ssim.Compute(full(1, 3, 12, 12, a, dtype: ScalarType.Float64), full(1, 3, 12, 12, b, dtype: ScalarType.Float64));
        Assert.Equal(expected, s, 12);
    }

    [Fact]
    public void Ssim_matches_a_direct_loop_implementation_on_a_tiny_case()
    {
        // 2 channels, 13×12: a 3×2 map of valid window positions per channel.
        var x = RandomImages(4, 1, 2, 13, 12).to(ScalarType.Float64);
        var y = (x * 0.7 + 0.3 * RandomImages(5, 1, 2, 13, 12).to(ScalarType.Float64)).clamp(0, 1);
        Assert.Equal(DirectSsim(x, y), Ssim.Compute(x, y), 12);
    }

    // Wang et al. written out: a 2-D Gaussian window exp(−(i²+j²)/2σ²) over i,j ∈ [−5,5] normalized to sum 1,
    // weighted moments at every position where the window fits, then the mean over positions and channels.
    static double DirectSsim(Tensor x, Tensor y)
    {
        const int r = 5; const double sigma = 1.5, c1 = 1e-4, c2 = 9e-4;
        var w = new double[2 * r + 1, 2 * r + 1];
        double total = 0;
        for (int i = -r; i <= r; i++)
            for (int j = -r; j <= r; j++) total += w[i + r, j + r] = Math.Exp(-(i * i + j * j) / (2 * sigma * sigma));
        var (channels, h, wd) = ((int)x.shape[1], (int)x.shape[2], (int)x.shape[3]);
        var xs = x.data<double>().ToArray();
        var ys = y.data<double>().ToArray();
        double sum = 0; int count = 0;
        for (int c = 0; c < channels; c++)
            for (int py = r; py < h - r; py++)
                for (int px = r; px < wd - r; px++)
                {
                    double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                    for (int i = -r; i <= r; i++)
                        for (int j = -r; j <= r; j++)
                        {
                            var k = w[i + r, j + r] / total;
                            var idx = (c * h + py + i) * wd + px + j;
                            var (a, b) = (xs[idx], ys[idx]);
                            mx += k * a; my += k * b; mxx += k * a * a; myy += k * b * b; mxy += k * a * b;
                        }
                    var (vx, vy, cxy) = (mxx - mx * mx, myy - my * my, mxy - mx * my);
                    sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    count++;
                }
        return sum / count;
    }
}
