using RAE.Grid.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RAE.Grid.Models.Evaluation;

/// <summary>
/// Multinomial logistic regression on flattened features (here: normalized RAE latents), the linear-probe measure of
/// how class-separable a representation is. Features are standardized with the training set's per-dimension mean
/// and std; training is deterministic (zero init, full-batch Adam, fixed iterations, small L2). Float32 on the CPU.
/// </summary>
public sealed class LinearProbe : IDisposable
{
    readonly Tensor _mean, _std, _weight, _bias;

    LinearProbe(Tensor mean, Tensor std, Tensor weight, Tensor bias)
    {
        _mean = mean; _std = std; _weight = weight; _bias = bias;
    }

    /// <summary>Number of classes the probe predicts.</summary>
    public int NumClasses => (int)_weight.shape[1];

    /// <summary>Flattened feature width the probe takes.</summary>
    public long FeatureSize => _weight.shape[0];

    /// <summary>
    /// Trains on <paramref name="features"/> [N,...] (flattened per item) and int64 <paramref name="labels"/> [N];
    /// <paramref name="numClasses"/> defaults to max(label) + 1. Reports each iteration as phase "probe" with the loss.
    /// </summary>
    public static LinearProbe Train(Tensor features, Tensor labels, int? numClasses = null, LinearProbeOptions? options = null,
        IProgress<TrainingProgress>? progress = null)
    {
        var o = (options ?? new LinearProbeOptions()).Validate();
        if (features.shape[0] != labels.shape[0] || labels.dim() != 1)
            throw new ArgumentException($"{features.shape[0]} feature rows but labels of shape [{string.Join(",", labels.shape)}]");
        if (features.shape[0] < 2) throw new ArgumentException("the probe needs at least 2 training items");
        var y = labels.to(ScalarType.Int64).cpu();
        var k = numClasses ?? (int)y.max().item<long>() + 1;
        if (y.min().item<long>() < 0 || y.max().item<long>() >= k)
            throw new ArgumentException($"labels must lie in 0..{k - 1}, got {y.min().item<long>()}..{y.max().item<long>()}");

        using var scope = NewDisposeScope();
        var x = Flatten(features);
        var mean = x.mean([0]);
        // Constant dimensions get std 1 instead of a division by ~0.
        var std = x.std([0], unbiased: false);
        std = where(std > 1e-6, std, ones_like(std));
        var z = (x - mean) / std;

        var weight = new Parameter(zeros(z.shape[1], k));
        var bias = new Parameter(zeros(k));
        using var optimizer = optim.Adam([weight, bias], lr: o.LearningRate);
        for (int i = 0; i < o.Iterations; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.cross_entropy(z.matmul(weight) + bias, y) + 0.5 * o.L2 * weight.square().sum();
            loss.backward();
            optimizer.step();
            progress?.Report(new TrainingProgress("probe", i + 1, o.Iterations,
                new Dictionary<string, double> { ["loss"] = loss.item<float>() }));
        }
        return new LinearProbe(mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope(),
            weight.detach().clone().MoveToOuterDisposeScope(), bias.detach().clone().MoveToOuterDisposeScope());
    }

    /// <summary>Class logits [N,K] of <paramref name="features"/> [N,...].</summary>
    public Tensor Logits(Tensor features)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var x = Flatten(features);
        if (x.shape[1] != FeatureSize) throw new ArgumentException($"features have {x.shape[1]} values per item, the probe was trained on {FeatureSize}");
        return ((x - _mean) / _std).matmul(_weight).add(_bias).MoveToOuterDisposeScope();
    }

    /// <summary>Predicted class (int64 [N]) of each item.</summary>
    public Tensor Predict(Tensor features)
    {
        using var scope = NewDisposeScope();
        return Logits(features).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of items whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var predicted = Predict(features);
        if (!predicted.shape.SequenceEqual(labels.shape)) throw new ArgumentException($"{predicted.shape[0]} items but labels of shape [{string.Join(",", labels.shape)}]");
        return predicted.eq(labels.to(ScalarType.Int64).cpu()).to(ScalarType.Float64).mean().item<double>();
    }

    static Tensor Flatten(Tensor features) => features.detach().to(ScalarType.Float32).cpu().reshape(features.shape[0], -1);

    public void Dispose()
    {
        _mean.Dispose(); _std.Dispose(); _weight.Dispose(); _bias.Dispose();
    }
}
