using RAE.Grid.Training.Data;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Tests.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Data;

public class ImageFolderTests
{
    [Fact]
    public void Image_folder_loads_one_class_per_subfolder_with_usable_labels()
    {
        using var dir = new TempDir();
        foreach (var (cls, value) in new[] { ("b-class", 0.8f), ("a-class", 0.2f) })
        {
            Directory.CreateDirectory(dir.File(cls));
            for (int i = 0; i < 2; i++) ImageIO.SavePng(full(3, 12, 16, value), Path.Combine(dir.File(cls), $"{i}.png"));
        }
        var set = ImageFolder.Load(dir.Path, 8);
        Assert.Equal(["a-class", "b-class"], set.ClassNames);
        Assert.Equal([0L, 0L, 1L, 1L], set.Labels.data<long>().ToArray()); // the labels outlive the loader's dispose scope
        Assert.Equal([4L, 3L, 8L, 8L], set.Images.shape);
    }
}
