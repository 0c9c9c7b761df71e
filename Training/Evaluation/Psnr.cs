using static TorchSharp.torch;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Peak signal-to-noise ratio with data range 1: per image 10·log10(1 / MSE) over all channels and pixels, then the
/// mean over images (the mean of per-image dB values, as skimage/torchmetrics reduce a batch). Computed in float64.
/// </summary>
public static class Psnr
{
    /// <summary>PSNR (dB) of each image of <paramref name="reference"/> [B,C,H,W] against <paramref name="test"/>; +∞ where they are equal.</summary>
    public static double[] PerImage(Tensor reference, Tensor test)
    {
        CheckShapes(reference, test);
        using var scope = NewDisposeScope();
        var diff = reference.to(ScalarType.Float64).cpu() - test.to(ScalarType.Float64).cpu();
        var mse = diff.square().reshape(diff.shape[0], -1).mean([1]);
        return mse.data<double>().Select(m => 10 * Math.Log10(1 / m)).ToArray();
    }

    /// <summary>The mean over images of <see cref="PerImage"/>.</summary>
    public static double Compute(Tensor reference, Tensor test) => PerImage(reference, test).Average();

    internal static void CheckShapes(Tensor a, Tensor b)
    {
        if (a.dim() != 4 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"expected two [B,C,H,W] batches of the same shape, got [{string.Join(",", a.shape)}] and [{string.Join(",", b.shape)}]");
        if (a.shape[0] == 0) throw new ArgumentException("the batches are empty");
    }
}
