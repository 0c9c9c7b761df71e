using System.IO.Compression;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void The_installed_dataset_has_60000_training_and_10000_test_images_with_ten_classes()
    {
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, "train");
        var test = FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 500);
        Assert.Equal([60000L, 1, 28, 28], train.Images.shape);
        Assert.Equal(500, test.Count);
        Assert.Equal(ScalarType.Byte, train.Images.dtype);
        using var counts = train.Labels.bincount(null);
        Assert.All(counts.data<long>().ToArray(), c => Assert.Equal(6000, c)); // the set is balanced
        Assert.Equal("Ankle boot", train.ClassNames[9]);
    }

    [Fact]
    public void A_missing_dataset_names_the_file_and_the_package()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load("/nonexistent/fmnist", "train"));
        Assert.Contains("/nonexistent/fmnist/train-images-idx3-ubyte", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Idx_files_are_read_plain_or_gzipped_and_bad_headers_are_named()
    {
        var dir = Directory.CreateTempSubdirectory("idx").FullName;
        byte[] idx = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6];
        File.WriteAllBytes(Path.Combine(dir, "a"), idx);
        using (var gz = new GZipStream(File.Create(Path.Combine(dir, "a.gz")), CompressionLevel.Fastest)) gz.Write(idx);
        foreach (var name in new[] { "a", "a.gz" })
        {
            using var t = IdxFile.ReadBytes(Path.Combine(dir, name));
            Assert.Equal([2L, 3], t.shape);
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, t.data<byte>().ToArray());
        }
        var truncated = Assert.Throws<InvalidDataException>(() => IdxFile.Parse(idx[..^1], "short.idx"));
        Assert.Contains("short.idx", truncated.Message);
        Assert.Contains("6 elements", truncated.Message);
        var floats = Assert.Throws<InvalidDataException>(() => IdxFile.Parse([0, 0, 0x0D, 1, 0, 0, 0, 0], "f.idx"));
        Assert.Contains("0x0d", floats.Message);
    }

    [Fact]
    public void Grey_images_become_three_equal_channels_in_the_unit_range()
    {
        var set = FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 4);
        using var x = set.ToFloatRgb(0, 4);
        Assert.Equal([4L, 3, 28, 28], x.shape);
        Assert.True(x.min().item<float>() >= 0 && x.max().item<float>() <= 1);
        Assert.True(x[.., 0].allclose(x[.., 2], 0, 0));
        Assert.Equal(set.Images[1, 0, 14, 14].item<byte>() / 255f, x[1, 1, 14, 14].item<float>(), 6);
    }
}
