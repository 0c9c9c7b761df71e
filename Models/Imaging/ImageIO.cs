using StbImageSharp;
using StbImageWriteSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Imaging;

/// <summary>
/// PNG/JPEG/BMP in and PNG out (StbImageSharp / StbImageWriteSharp). Images become float32 [3,H,W] tensors in
/// [0,1] computed as float32(k)/255, which is what torchvision's ToTensor does.
/// </summary>
public static class ImageIO
{
    /// <summary>Decodes an encoded image to [3,H,W] float32 in [0,1]. <paramref name="name"/> names the item in errors.</summary>
    public static Tensor Decode(ReadOnlySpan<byte> encoded, string name, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        if (encoded.Length == 0) throw new BadImageException($"{name}: empty file");
        if (encoded.Length > limits.MaxFileBytes)
            throw new BadImageException($"{name}: {encoded.Length} bytes exceeds MaxFileBytes {limits.MaxFileBytes}");
        var bytes = encoded.ToArray();
        ImageInfo? info;
        using (var ms = new MemoryStream(bytes)) info = ImageInfo.FromStream(ms);
        if (info is null) throw new BadImageException($"{name}: not a PNG, JPEG, BMP, GIF or TGA image");
        if (info.Value.Width > limits.MaxSide || info.Value.Height > limits.MaxSide)
            throw new BadImageException($"{name}: {info.Value.Width}x{info.Value.Height} exceeds MaxSide {limits.MaxSide}");
        if (info.Value.Width < 1 || info.Value.Height < 1)
            throw new BadImageException($"{name}: its header says {info.Value.Width}x{info.Value.Height} pixels");
        // From the header, before a pixel is allocated: an 8192² image would decode to ~0.8 GB of floats.
        if ((long)info.Value.Width * info.Value.Height > limits.MaxPixels)
            throw new BadImageException($"{name}: pixels: {info.Value.Width}x{info.Value.Height} = {(long)info.Value.Width * info.Value.Height} is over MaxImagePixels {limits.MaxPixels}");
        ImageResult img;
        try { img = ImageResult.FromMemory(bytes, StbImageSharp.ColorComponents.RedGreenBlue); }
        catch (Exception e) { throw new BadImageException($"{name}: cannot decode ({e.Message})"); }
        return FromHwcBytes(img.Data, img.Height, img.Width);
    }

    /// <summary>Reads and decodes an image file.</summary>
    public static Tensor Load(string path, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        var len = new FileInfo(path).Length;
        if (len > limits.MaxFileBytes)
            throw new BadImageException($"{path}: {len} bytes exceeds MaxFileBytes {limits.MaxFileBytes}");
        return Decode(File.ReadAllBytes(path), path, limits);
    }

    /// <summary>HWC uint8 RGB bytes → [3,H,W] float32 in [0,1].</summary>
    public static Tensor FromHwcBytes(byte[] data, int height, int width)
    {
        using var u8 = tensor(data, [height, width, 3], ScalarType.Byte);
        return u8.permute(2, 0, 1).to(ScalarType.Float32) / 255f;
    }

    /// <summary>[3,H,W] (any float dtype/device, values in [0,1], clamped) → PNG bytes, rounding to 8 bits.</summary>
    public static byte[] EncodePng(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected a [3,H,W] image, got [{string.Join(",", image.shape)}]");
        int h = (int)image.shape[1], w = (int)image.shape[2];
        using var scope = NewDisposeScope();
        var hwc = (image.detach().to(ScalarType.Float32).cpu().clamp(0, 1) * 255f).round().to(ScalarType.Byte)
            .permute(1, 2, 0).contiguous();
        var bytes = hwc.bytes.ToArray();
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(bytes, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }

    /// <summary>Writes a [3,H,W] image as PNG (atomically: temp file then rename).</summary>
    public static void SavePng(Tensor image, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, EncodePng(image));
        File.Move(tmp, path, overwrite: true);
    }
}
