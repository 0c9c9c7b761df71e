using RAE.Grid.Contracts;
using RAE.Grid.Models.Imaging;
using StbImageSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>Inputs and output checks for cluster tests.</summary>
public static class TestInputs
{
    /// <summary>
    /// <paramref name="count"/> inline PNGs of random pixels, of varied sizes (so the encoder's centre crop runs), named
    /// "<paramref name="prefix"/>-NN.png". Deterministic for a seed.
    /// </summary>
    public static ImageSource[] RandomPngs(int count, long seed = 1, string prefix = "img")
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int h = 48 + 8 * (i % 5), w = 64 + 8 * (i % 3);
            var png = ImageIO.EncodePng(rand([3, h, w], generator: gen));
            return new ImageSource($"{prefix}-{i:D2}.png", png);
        }).ToArray();
    }

    /// <summary>Decodes PNG bytes (throws if they are not a PNG) and returns the size.</summary>
    public static (int Width, int Height) PngSize(byte[] bytes)
    {
        Assert.True(bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G',
            "not a PNG signature");
        var image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        return (image.Width, image.Height);
    }

    /// <summary>Random job ids, so tests sharing a cluster never collide.</summary>
    public static string JobId(string what) => $"{what}-{Guid.NewGuid():N}"[..Math.Min(40, what.Length + 33)];
}
