using RAE.Grid.Training.Evaluation;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Evaluation;

public class PsnrTests
{
    [Fact]
    public void Psnr_of_a_known_mse_is_ten_log10_of_its_inverse()
    {
        // Image 0: every pixel off by 0.1 → MSE 0.01 → 20 dB. Image 1: off by 0.01 → MSE 1e-4 → 40 dB.
        var reference = zeros(2, 3, 8, 8);
        var test = cat([full(1, 3, 8, 8, 0.1f), full(1, 3, 8, 8, 0.01f)], 0);
        var perImage = Psnr.PerImage(reference, test);
        Assert.Equal(20, perImage[0], 4);
        Assert.Equal(40, perImage[1], 4);
        Assert.Equal(30, Psnr.Compute(reference, test), 4); // mean of per-image dB, not dB of the mean MSE
    }

    [Fact]
    public void Psnr_rejects_batches_of_different_shapes() =>
        Assert.Throws<ArgumentException>(() => Psnr.Compute(zeros(1, 3, 8, 8), zeros(1, 3, 8, 9)));
}
