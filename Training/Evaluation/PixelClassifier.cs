using System.Security.Cryptography;
using System.Text;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Training.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// The pixel-space evaluation classifier of best-of-N: a small CNN (two 3×3 conv–ReLU–max-pool blocks, 16 and 32
/// channels, an adaptive 7×7 average pool and a linear layer) trained on real train-split images in [0, 1] at the
/// bundle's image size. It reads decoded pixels, never latents, so judging a latent verifier's picks with it is not
/// circular. Trained seeded on the CPU and cached on disk by (dataset, image size, options), so repeated evaluations
/// reuse it.
/// </summary>
public sealed class PixelClassifier : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly Linear head;

    /// <summary>A fresh classifier of <paramref name="numClasses"/> classes (weights from the global torch seed).</summary>
    public PixelClassifier(int numClasses) : base(nameof(PixelClassifier))
    {
        if (numClasses < 2) throw new ArgumentException($"numClasses: must be at least 2, got {numClasses}");
        conv1 = nn.Conv2d(3, 16, 3, padding: 1);
        conv2 = nn.Conv2d(16, 32, 3, padding: 1);
        head = nn.Linear(32 * 7 * 7, numClasses);
        RegisterComponents();
    }

    /// <summary>Class logits [B, K] of images [B, 3, H, W] in [0, 1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = F.max_pool2d(F.relu(conv1.forward(images)), 2);
        x = F.max_pool2d(F.relu(conv2.forward(x)), 2);
        x = F.adaptive_avg_pool2d(x, [7, 7]);
        return head.forward(x.flatten(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Predicted class (int64 [B]) of images [B, 3, H, W] in [0, 1].</summary>
    public Tensor Predict(Tensor images)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        return forward(images.to(ScalarType.Float32).cpu()).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="set"/>'s first <paramref name="count"/> images classified as their label.</summary>
    public double Accuracy(LabeledImages set, int count, int imageSize, int batchSize = 500)
    {
        count = Math.Min(count, set.Count);
        long correct = 0;
        for (int s = 0; s < count; s += batchSize)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(batchSize, count - s);
            var images = CenterCrop.Apply(set.ToFloatRgb(s, n), imageSize);
            correct += Predict(images).eq(set.Labels.narrow(0, s, n)).sum().item<long>();
        }
        return (double)correct / count;
    }

    /// <summary>
    /// The classifier for (<paramref name="datasetKey"/>, <paramref name="imageSize"/>, <paramref name="options"/>): read
    /// from <paramref name="cacheDir"/> when an earlier run trained it, else trained on <paramref name="train"/> and
    /// saved there. <paramref name="cached"/> says which.
    /// </summary>
    public static PixelClassifier LoadOrTrain(LabeledImages train, int numClasses, int imageSize, string datasetKey, PixelClassifierOptions options,
        string cacheDir, out bool cached, out string path, IProgress<TrainingProgress>? progress = null)
    {
        var o = options.Validate();
        var key = $"{datasetKey}|size={imageSize}|classes={numClasses}|{o}";
        path = Path.Combine(cacheDir, $"pixel-classifier-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]}.safetensors");
        if (File.Exists(path))
        {
            var c = new PixelClassifier(numClasses);
            StateDictLoader.LoadFrozen(c, SafeTensorsFile.ReadAll(path), path);
            cached = true;
            return c;
        }
        var trained = Train(train, numClasses, imageSize, o, progress);
        SafeTensorsWriter.Write(path, trained.state_dict(), new Dictionary<string, string> { ["key"] = key });
        cached = false;
        return trained;
    }

    /// <summary>Trains a classifier on the first <see cref="PixelClassifierOptions.TrainImages"/> of <paramref name="train"/> (seeded, AdamW).</summary>
    public static PixelClassifier Train(LabeledImages train, int numClasses, int imageSize, PixelClassifierOptions options,
        IProgress<TrainingProgress>? progress = null)
    {
        var o = options.Validate();
        var set = train.Take(o.TrainImages);
        if (set.Labels.max().item<long>() >= numClasses) throw new ArgumentException($"train: labels must lie in 0..{numClasses - 1}");
        manual_seed(o.Seed); // the initial weights
        var model = new PixelClassifier(numClasses);
        using var optimizer = optim.AdamW(model.parameters(), o.LearningRate);
        var epochs = new EpochBatches(set, Math.Min(o.BatchSize, set.Count), o.Seed, dropLast: false);
        var total = (long)epochs.BatchesPerEpoch * o.Epochs;
        long done = 0;
        model.train();
        for (int e = 0; e < o.Epochs; e++)
            foreach (var batch in epochs.Epoch(e))
            {
                using var scope = NewDisposeScope();
                using (batch.Images) using (batch.Labels)
                {
                    optimizer.zero_grad();
                    var loss = F.cross_entropy(model.forward(CenterCrop.Apply(batch.Images, imageSize)), batch.Labels);
                    loss.backward();
                    optimizer.step();
                    progress?.Report(new TrainingProgress("pixel classifier", ++done, total,
                        new Dictionary<string, double> { ["loss"] = loss.item<float>() }));
                }
            }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }
}
