using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Imaging;

public class ImageIOTests
{
    [Fact]
    public void Png_round_trip_preserves_8_bit_pixels()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var u8 = randint(0, 256, [3, 9, 13], ScalarType.Int32, generator: gen);
        var image = u8.to(ScalarType.Float32) / 255f;
        var png = ImageIO.EncodePng(image);
        var back = ImageIO.Decode(png, "roundtrip.png");
        Assert.Equal(new long[] { 3, 9, 13 }, back.shape);
        Assert.Equal(0.0, (back - image).abs().max().item<float>(), 6);
    }

    [Fact]
    public void Decoding_uses_float32_division_by_255_like_ToTensor()
    {
        using var scope = NewDisposeScope();
        var t = ImageIO.FromHwcBytes([0, 128, 255], 1, 1);
        Assert.Equal(128f / 255f, t[1, 0, 0].item<float>());
        Assert.Equal(1f, t[2, 0, 0].item<float>());
    }

    [Fact]
    public void Garbage_bytes_raise_an_error_naming_the_item()
    {
        var e = Assert.Throws<BadImageException>(() => ImageIO.Decode("not an image"u8, "cat-042.png"));
        Assert.Contains("cat-042.png", e.Message);
    }

    [Fact]
    public void Images_over_the_side_limit_are_rejected_before_decoding()
    {
        using var scope = NewDisposeScope();
        var png = ImageIO.EncodePng(zeros(3, 4, 40));
        var e = Assert.Throws<BadImageException>(() => ImageIO.Decode(png, "wide.png", new ImageLimits { MaxSide = 32 }));
        Assert.Contains("MaxSide", e.Message);
        Assert.Contains("wide.png", e.Message);
    }

    [Fact]
    public void Center_crop_brings_any_aspect_to_the_square_size()
    {
        using var scope = NewDisposeScope();
        var img = rand(3, 40, 64);
        var c = CenterCrop.Apply(img, 32);
        Assert.Equal(new long[] { 3, 32, 32 }, c.shape);
        var square = rand(3, 32, 32);
        Assert.Same(square, CenterCrop.Apply(square, 32));
    }

    [Fact]
    public void Contact_sheet_places_each_image_in_its_cell()
    {
        using var scope = NewDisposeScope();
        var imgs = stack([zeros(3, 4, 4), ones(3, 4, 4) * 0.5f, ones(3, 4, 4)]);
        var sheet = ContactSheet.Tile(imgs, columns: 2, gap: 2);
        Assert.Equal(new long[] { 3, 2 * 6 + 2, 2 * 6 + 2 }, sheet.shape);
        Assert.Equal(0f, sheet[0, 2, 2].item<float>());
        Assert.Equal(0.5f, sheet[0, 2, 8].item<float>());
        Assert.Equal(1f, sheet[0, 8, 2].item<float>());
    }
}
