using RAE.Grid.Models.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// The real images <c>rae-grid eval</c> compares against, as a train and a test split: Fashion-MNIST IDX files, an
/// image folder with <c>train/</c> and <c>test/</c> subfolders (each an ImageFolder), or a single image folder split
/// in two class-balanced halves (alternate items of each class).
/// </summary>
internal static class EvalData
{
    /// <summary>Loads the splits, at least <paramref name="trainCount"/>/<paramref name="testCount"/> images where the source has them (the evaluator reports any shortfall).</summary>
    public static (LabeledImages Train, LabeledImages Test, string Kind) Load(string dir, int imageSize, int trainCount, int testCount, ICollection<string> skipped)
    {
        if (FashionMnist.IsPresent(dir))
            return (FashionMnist.Load(dir, "train", trainCount), FashionMnist.Load(dir, "test", testCount), "fashion-mnist");
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(dir == FashionMnist.DefaultDirectory
                ? $"--data {dir}: Fashion-MNIST is not installed there (apt-get install dataset-fashion-mnist, or pass --data <folder>)"
                : $"--data {dir}: folder not found");
        string train = Path.Combine(dir, "train"), test = Path.Combine(dir, "test");
        if (Directory.Exists(train) && Directory.Exists(test))
            return (ImageFolder.Load(train, imageSize, errors: skipped).Take(trainCount),
                ImageFolder.Load(test, imageSize, errors: skipped).Take(testCount), "image folder (train/, test/)");
        if (Directory.GetDirectories(dir).Length == 0)
            throw new ArgumentException($"--data {dir}: neither Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], t10k-...) nor an image folder (<dir>/<class>/<image>)");
        var (trainSet, testSet) = Split(ImageFolder.Load(dir, imageSize, errors: skipped));
        return (trainSet.Take(trainCount), testSet.Take(testCount), "image folder (alternate items of each class as train/test)");
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
