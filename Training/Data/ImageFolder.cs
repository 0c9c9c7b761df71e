using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// An image-folder dataset (torchvision's <c>ImageFolder</c> layout): one subfolder per class, classes sorted by
/// name. Each image is decoded, resized and center-cropped to <c>size</c>×<c>size</c> (the ADM center crop the
/// official stage-2 data path uses) and kept as uint8 RGB. A file that fails to decode is reported by name and
/// skipped; the rest of the folder loads.
/// </summary>
public static class ImageFolder
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    /// <summary>Loads <paramref name="directory"/>; <paramref name="errors"/> receives one line per skipped file.</summary>
    public static LabeledImages Load(string directory, int size, ImageLimits? limits = null, ICollection<string>? errors = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: image folder not found");
        var classes = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0) throw new InvalidDataException($"{directory}: no class subfolders (expected <dir>/<class>/<image>)");
        var images = new List<Tensor>();
        var labels = new List<long>();
        using var scope = NewDisposeScope();
        for (int c = 0; c < classes.Count; c++)
        {
            var files = Directory.GetFiles(Path.Combine(directory, classes[c]))
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                try
                {
                    var img = CenterCrop.Apply(ImageIO.Load(file, limits), size);
                    images.Add((img.clamp(0, 1) * 255f).round().to(ScalarType.Byte));
                    labels.Add(c);
                }
                catch (BadImageException e) { errors?.Add(e.Message); }
            }
        }
        if (images.Count == 0) throw new InvalidDataException($"{directory}: no readable images");
        var stacked = stack(images).MoveToOuterDisposeScope();
        return new LabeledImages(stacked, tensor(labels.ToArray()).MoveToOuterDisposeScope(), classes);
    }
}
