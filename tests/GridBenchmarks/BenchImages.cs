using RAE.Grid.Models.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.GridBenchmarks;

/// <summary>Deterministic test images: smooth random colour fields plus a little noise, encoded as PNG.</summary>
public static class BenchImages
{
    /// <summary><paramref name="count"/> PNGs of <paramref name="side"/>² pixels.</summary>
    public static byte[][] Pngs(int count, int side = 256, long seed = 1)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        var result = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            // Low-frequency structure like a photo's, so the PNGs have realistic (not worst-case noise) sizes.
            var coarse = rand([1, 3, 8, 8], generator: gen);
            var smooth = nn.functional.interpolate(coarse, [side, side], mode: InterpolationMode.Bilinear, align_corners: false);
            var image = (smooth[0] + randn([3, side, side], generator: gen) * 0.03).clamp(0, 1);
            result[i] = ImageIO.EncodePng(image);
        }
        return result;
    }
}
