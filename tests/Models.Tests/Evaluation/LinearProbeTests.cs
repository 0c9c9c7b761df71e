using RAE.Grid.Training.Evaluation;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Evaluation;

public class LinearProbeTests
{
    // Four classes around far-apart centers in 16-D (shape [N,4,2,2], as latents are), unit noise.
    static (Tensor X, Tensor Y) Separable(long seed, int perClass)
    {
        using var g = new Generator((ulong)seed);
        using var centers = new Generator(99);
        var c = randn([4, 16], generator: centers) * 4;
        var y = arange(4, dtype: ScalarType.Int64).repeat_interleave(perClass);
        var x = c.index_select(0, y) + randn([4 * perClass, 16], generator: g);
        return (x.reshape(-1, 4, 2, 2), y);
    }

    [Fact]
    public void Probe_reaches_full_accuracy_on_linearly_separable_data()
    {
        var (x, y) = Separable(1, 50);
        using var probe = LinearProbe.Train(x, y);
        Assert.Equal(4, probe.NumClasses);
        Assert.True(probe.Accuracy(x, y) >= 0.99, $"training accuracy {probe.Accuracy(x, y)}");
        var (xt, yt) = Separable(2, 50);
        Assert.True(probe.Accuracy(xt, yt) >= 0.98, $"held-out accuracy {probe.Accuracy(xt, yt)}");
    }

    [Fact]
    public void Probe_training_is_deterministic()
    {
        var (x, y) = Separable(3, 20);
        using var a = LinearProbe.Train(x, y, options: new LinearProbeOptions(Iterations: 30));
        using var b = LinearProbe.Train(x, y, options: new LinearProbeOptions(Iterations: 30));
        Assert.True(TensorAssert.BitEqual(a.Logits(x), b.Logits(x)));
    }

    [Fact]
    public void Probe_trained_on_one_class_predicts_that_class()
    {
        using var g = new Generator(5);
        var x = randn([8, 32, 4, 4], generator: g);
        using var probe = LinearProbe.Train(x, zeros(8, dtype: ScalarType.Int64), numClasses: 10);
        Assert.Equal(1.0, probe.Accuracy(x, zeros(8, dtype: ScalarType.Int64)));
    }

    [Fact]
    public void Probe_options_name_the_bad_field() =>
        Assert.Contains("Iterations", Assert.Throws<ArgumentException>(() => new LinearProbeOptions(Iterations: 0).Validate()).Message);
}
