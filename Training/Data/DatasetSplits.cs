using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// A dataset as a train and a test split (what training, <c>rae-grid eval</c> and the ablations read): Fashion-MNIST IDX files, an
/// image folder with <c>train/</c> and <c>test/</c> subfolders (each an ImageFolder), or a single image folder split
/// in two class-balanced halves (alternate items of each class).
/// </summary>
public static class DatasetSplits
{
    /// <summary>Loads the splits, at least <paramref name="trainCount"/>/<paramref name="testCount"/> images where the source has them (the evaluator reports any shortfall).</summary>
    public static (LabeledImages Train, LabeledImages Test, string Kind) Load(string dir, int imageSize, int? trainCount = null,
        int? testCount = null, ICollection<string>? skipped = null)
    {
        if (FashionMnist.IsPresent(dir))
            return (FashionMnist.Load(dir, "train", trainCount), FashionMnist.Load(dir, "test", testCount), "fashion-mnist");
        LabeledImages Take(LabeledImages set, int? n) => n is { } k ? set.Take(k) : set;
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(dir == FashionMnist.DefaultDirectory
                ? $"{dir}: Fashion-MNIST is not installed there (apt-get install dataset-fashion-mnist, or pass --data <folder>)"
                : $"{dir}: data folder not found");
        string train = Path.Combine(dir, "train"), test = Path.Combine(dir, "test");
        if (Directory.Exists(train) && Directory.Exists(test))
            return (Take(ImageFolder.Load(train, imageSize, errors: skipped), trainCount),
                Take(ImageFolder.Load(test, imageSize, errors: skipped), testCount), "image folder (train/, test/)");
        if (Directory.GetDirectories(dir).Length == 0)
            throw new ArgumentException($"{dir}: neither Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], t10k-...) nor an image folder (<dir>/<class>/<image>)");
        var (trainSet, testSet) = Split(ImageFolder.Load(dir, imageSize, errors: skipped));
        return (Take(trainSet, trainCount), Take(testSet, testCount), "image folder (alternate items of each class as train/test)");
    }

    // Within each class, even positions go to test and odd ones to train; each split is then ordered round-robin over
    // the classes, so its first n items (the evaluator takes a prefix) are class-balanced too.
    static (LabeledImages Train, LabeledImages Test) Split(LabeledImages set)
    {
        var labels = set.Labels.data<long>().ToArray();
        var byClass = Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList();
        LabeledImages Pick(int parity)
        {
            var perClass = byClass.Select(items => items.Where((_, j) => j % 2 == parity).ToArray()).ToList();
            var order = Enumerable.Range(0, perClass.Max(c => c.Length))
                .SelectMany(round => perClass.Where(c => round < c.Length).Select(c => (long)c[round])).ToArray();
            var idx = tensor(order);
            return set with { Images = set.Images.index_select(0, idx), Labels = set.Labels.index_select(0, idx) };
        }
        return (Pick(1), Pick(0));
    }
}
