using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Structural similarity (Wang et al. 2004) as skimage's
/// <c>structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1)</c>:
/// local means, variances and covariance under an 11×11 Gaussian window (σ 1.5, truncated at radius 5 and normalized),
/// K1 0.01, K2 0.03, per channel, then the mean. Float64.
/// <para>Borders: the SSIM map is taken only where the whole window lies inside the image ("valid" filtering, an
/// (H−10)×(W−10) map). skimage filters with reflected padding and then crops 5 pixels from each side before the mean,
/// which leaves exactly these positions, so the numbers agree; the images must be at least 11 pixels on each side.</para>
/// </summary>
public static class Ssim
{
    /// <summary>Window side (2·round(3.5σ) + 1 as scipy's gaussian_filter with truncate 3.5).</summary>
    public const int WindowSize = 11;
    /// <summary>Gaussian σ of the window.</summary>
    public const double Sigma = 1.5;
    public const double K1 = 0.01, K2 = 0.03;

    /// <summary>The normalized 1-D Gaussian window (the 2-D window is its outer product).</summary>
    public static double[] Window1d()
    {
        var r = WindowSize / 2;
        var w = Enumerable.Range(-r, WindowSize).Select(x => Math.Exp(-0.5 * x * x / (Sigma * Sigma))).ToArray();
        var sum = w.Sum();
        return w.Select(v => v / sum).ToArray();
    }

    /// <summary>SSIM of each image (mean over channels and valid positions) of two [B,C,H,W] batches in [0,1].</summary>
    public static double[] PerImage(Tensor reference, Tensor test)
    {
        Psnr.CheckShapes(reference, test);
        var (b, c, h, w) = (reference.shape[0], reference.shape[1], reference.shape[2], reference.shape[3]);
        if (h < WindowSize || w < WindowSize)
            throw new ArgumentException($"SSIM needs images of at least {WindowSize}×{WindowSize} pixels, got {h}×{w}");
        using var scope = NewDisposeScope();
        var x = reference.to(ScalarType.Float64).cpu().reshape(b * c, 1, h, w);
        var y = test.to(ScalarType.Float64).cpu().reshape(b * c, 1, h, w);
        var g = tensor(Window1d(), ScalarType.Float64);
        var (gy, gx) = (g.reshape(1, 1, WindowSize, 1), g.reshape(1, 1, 1, WindowSize));
        Tensor Filter(Tensor t) => F.conv2d(F.conv2d(t, gy), gx); // separable, no padding = valid positions only

        var (ux, uy) = (Filter(x), Filter(y));
        // Population (not sample) covariance: use_sample_covariance=False.
        var vx = Filter(x * x) - ux * ux;
        var vy = Filter(y * y) - uy * uy;
        var vxy = Filter(x * y) - ux * uy;
        const double c1 = K1 * K1, c2 = K2 * K2; // (K·data_range)² with data_range 1
        var s = (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux.square() + uy.square() + c1) * (vx + vy + c2));
        return s.reshape(b, -1).mean([1]).data<double>().ToArray();
    }

    /// <summary>The mean over images of <see cref="PerImage"/>.</summary>
    public static double Compute(Tensor reference, Tensor test) => PerImage(reference, test).Average();
}
