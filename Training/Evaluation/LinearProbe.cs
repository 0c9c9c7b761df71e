using RAE.Grid.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Multinomial logistic regression on flattened features (here: normalized RAE latents), the linear-probe measure of
/// how class-separable a representation is. Features are standardized with the training set's per-dimension mean
/// and std; training is deterministic (zero init, full-batch accelerated gradient descent with step 1/L, fixed iterations, small L2). Float32 on the CPU.
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

        // Bias folded in as a constant feature; W = [weight; bias] of shape [D+1, K].
        var za = cat([z, ones(z.shape[0], 1)], 1);
        var n = z.shape[0];
        var onehot = F.one_hot(y, k).to(ScalarType.Float32);
        var decay = ones(za.shape[1], 1); decay[-1] = 0; // no L2 on the bias
        // The cross-entropy's Hessian in W is at most ½·ZaᵀZa/N (softmax Jacobian ≤ ½I), so L = ½λmax + L2 bounds the
        // curvature and 1/L is a safe step whatever the feature width; λmax by power iteration, with 10 % headroom.
        var lipschitz = 0.5 * 1.1 * LargestEigenvalue(za) + o.L2;
        var w = zeros(za.shape[1], k);
        var v = w;
        for (int t = 1; t <= o.Iterations; t++)
        {
            using var step = NewDisposeScope();
            var logits = za.matmul(v);
            var loss = F.cross_entropy(logits, y) + 0.5 * o.L2 * (v * decay).square().sum();
            var grad = za.T.matmul(F.softmax(logits, 1) - onehot) / n + o.L2 * v * decay;
            var next = v - grad / lipschitz;
            // Nesterov momentum (t − 1)/(t + 2).
            var lookahead = next + (next - w) * ((t - 1) / (double)(t + 2));
            w = next.MoveToOuterDisposeScope();
            v = lookahead.MoveToOuterDisposeScope();
            progress?.Report(new TrainingProgress("probe", t, o.Iterations,
                new Dictionary<string, double> { ["loss"] = loss.item<float>() }));
        }
        var (weight, bias) = (w[..^1], w[-1]);
        return new LinearProbe(mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope(),
            weight.contiguous().MoveToOuterDisposeScope(), bias.contiguous().MoveToOuterDisposeScope());
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

    // λmax(AᵀA / N) by 50 power iterations from a fixed start (deterministic).
    static double LargestEigenvalue(Tensor a)
    {
        using var scope = NewDisposeScope();
        var v = ones(a.shape[1]) / Math.Sqrt(a.shape[1]);
        double lambda = 0;
        for (int i = 0; i < 50; i++)
        {
            var av = a.T.matmul(a.matmul(v)) / a.shape[0];
            lambda = av.norm().item<float>();
            if (lambda == 0) return 0;
            v = av / lambda;
        }
        return lambda;
    }

    static Tensor Flatten(Tensor features) => features.detach().to(ScalarType.Float32).cpu().reshape(features.shape[0], -1);

    public void Dispose()
    {
        _mean.Dispose(); _std.Dispose(); _weight.Dispose(); _bias.Dispose();
    }
}
