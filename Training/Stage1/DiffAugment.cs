using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// Differentiable augmentation (Zhao et al., DiffAugment) as the official discriminator uses it: colour jitter
/// (brightness, saturation, contrast) then translation by up to 1/8 of the side with zero fill; probability 1,
/// no cutout. Applied to real and fake alike, in the [−1,1] pixel range the official code works in.
/// </summary>
public static class DiffAugment
{
    /// <summary>Maximal translation as a fraction of the image side.</summary>
    public const double TranslationRatio = 0.125;

    /// <summary>[B,C,H,W] images in [0,1] → augmented images in the same scale; differentiable in the input.</summary>
    public static Tensor Apply(Tensor images, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var x = images * 2 - 1;
        x = Color(x, generator);
        x = Translate(x, generator);
        return ((x + 1) / 2).MoveToOuterDisposeScope();
    }

    /// <summary>Brightness ± 0.5, saturation ×[0,2], contrast ×[0.5,1.5], one draw per sample.</summary>
    public static Tensor Color(Tensor x, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var b = x.shape[0];
        Tensor Draw() => rand([b, 1, 1, 1], dtype: x.dtype, device: x.device, generator: generator);
        x = x + (Draw() - 0.5);
        var channelMean = x.mean([1], keepdim: true);
        x = (x - channelMean) * (Draw() * 2) + channelMean;
        var imageMean = x.mean([1, 2, 3], keepdim: true);
        x = (x - imageMean) * (Draw() + 0.5) + imageMean;
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Integer shift per sample in [−s, s] on each axis, s = round(side/8); vacated pixels are 0.</summary>
    public static Tensor Translate(Tensor x, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var (b, h, w) = (x.shape[0], x.shape[2], x.shape[3]);
        var (sx, sy) = ((long)(h * TranslationRatio + 0.5), (long)(w * TranslationRatio + 0.5));
        var tx = randint(-sx, sx + 1, [b, 1, 1], dtype: ScalarType.Int64, device: x.device, generator: generator);
        var ty = randint(-sy, sy + 1, [b, 1, 1], dtype: ScalarType.Int64, device: x.device, generator: generator);
        var grids = meshgrid([arange(b, device: x.device), arange(h, device: x.device), arange(w, device: x.device)], indexing: "ij");
        var gx = (grids[1] + tx + 1).clamp(0, h + 1);
        var gy = (grids[2] + ty + 1).clamp(0, w + 1);
        var padded = functional.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1).contiguous();
        var shifted = padded.index(grids[0], gx, gy).permute(0, 3, 1, 2).contiguous();
        return shifted.MoveToOuterDisposeScope();
    }
}
