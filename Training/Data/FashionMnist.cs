using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// Fashion-MNIST (Zalando, MIT) from the original IDX files, as the Debian package <c>dataset-fashion-mnist</c>
/// installs them: 60,000 training and 10,000 test images, 28×28 grey, 10 classes.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, index = label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>True when <paramref name="directory"/> holds both splits.</summary>
    public static bool IsPresent(string directory = DefaultDirectory) =>
        new[] { "train", "test" }.All(s => File.Exists(FilePath(directory, s, images: true)) && File.Exists(FilePath(directory, s, images: false)));

    /// <summary>
    /// Loads a split ("train" or "test"), optionally only its first <paramref name="limit"/> images, as uint8 [N,1,28,28].
    /// </summary>
    public static LabeledImages Load(string directory, string split, int? limit = null)
    {
        if (split is not ("train" or "test"))
            throw new ArgumentException($"Fashion-MNIST split must be 'train' or 'test', got '{split}'", nameof(split));
        var imagesPath = FilePath(directory, split, images: true);
        var labelsPath = FilePath(directory, split, images: false);
        foreach (var p in new[] { imagesPath, labelsPath })
            if (!File.Exists(p))
                throw new FileNotFoundException(
                    $"{p}: Fashion-MNIST file not found (install the Debian package dataset-fashion-mnist, or pass the folder holding the IDX files)", p);
        var images = IdxFile.ReadBytes(imagesPath);
        var labels = IdxFile.ReadBytes(labelsPath);
        if (images.dim() != 3) throw new InvalidDataException($"{imagesPath}: expected [N,28,28] images, got {images.dim()} dimensions");
        if (labels.dim() != 1) throw new InvalidDataException($"{labelsPath}: expected [N] labels, got {labels.dim()} dimensions");
        if (images.shape[0] != labels.shape[0])
            throw new InvalidDataException($"{imagesPath}: {images.shape[0]} images but {labels.shape[0]} labels in {labelsPath}");
        if (labels.max().item<byte>() >= ClassNames.Count)
            throw new InvalidDataException($"{labelsPath}: label {labels.max().item<byte>()} outside 0..{ClassNames.Count - 1}");
        var set = new LabeledImages(images.unsqueeze(1), labels.to(ScalarType.Int64), ClassNames);
        return limit is { } n ? set.Take(n) : set;
    }

    static string FilePath(string dir, string split, bool images)
    {
        var prefix = split == "train" ? "train" : "t10k";
        var kind = images ? "images-idx3" : "labels-idx1";
        var plain = Path.Combine(dir, $"{prefix}-{kind}-ubyte");
        return File.Exists(plain) ? plain : plain + ".gz";
    }
}
