using static TorchSharp.torch;

namespace RAE.Grid.Models.Imaging;

/// <summary>A contact sheet: images as thumbnails on a grid, for a person to judge a batch at a glance.</summary>
public static class ContactSheet
{
    /// <summary>
    /// A PNG sheet of encoded images (PNG/JPEG/...), each center-cropped and resized to <paramref name="thumbnailSide"/>,
    /// at most <paramref name="maxColumns"/> per row; images that do not decode are left out. Null when none decodes.
    /// </summary>
    public static byte[]? Png(IEnumerable<(string Name, byte[] Encoded)> images, int thumbnailSide, int maxColumns = 8)
    {
        if (thumbnailSide < 1) throw new ArgumentOutOfRangeException(nameof(thumbnailSide), $"thumbnail side must be positive, got {thumbnailSide}");
        using var scope = NewDisposeScope();
        var thumbs = new List<Tensor>();
        foreach (var (name, bytes) in images)
        {
            try { thumbs.Add(CenterCrop.Apply(ImageIO.Decode(bytes, name), thumbnailSide)); }
            catch (BadImageException) { /* an unreadable input is reported as its item's error, not here */ }
        }
        if (thumbs.Count == 0) return null;
        return ImageIO.EncodePng(Tile(stack(thumbs), columns: Math.Min(maxColumns, thumbs.Count)));
    }

    /// <summary>
    /// Lays [N,3,H,W] images out on a grid of <paramref name="columns"/> columns with a <paramref name="gap"/>-pixel
    /// white gap: [3, rows·(H+gap)+gap, columns·(W+gap)+gap], float32 in [0, 1] on the CPU.
    /// </summary>
    public static Tensor Tile(Tensor images, int columns, int gap = 2)
    {
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        columns = Math.Max(1, Math.Min(columns, n));
        int rows = (n + columns - 1) / columns;
        var sheet = ones([3, rows * (h + gap) + gap, columns * (w + gap) + gap], ScalarType.Float32);
        for (int i = 0; i < n; i++)
        {
            int r = i / columns, c = i % columns;
            sheet[.., (r * (h + gap) + gap)..(r * (h + gap) + gap + h), (c * (w + gap) + gap)..(c * (w + gap) + gap + w)]
                = images[i].detach().to(ScalarType.Float32).cpu().clamp(0, 1);
        }
        return sheet;
    }
}
