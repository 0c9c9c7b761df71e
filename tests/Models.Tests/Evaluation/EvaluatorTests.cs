using RAE.Grid.Training.Data;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Training.Evaluation;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Evaluation;

/// <summary>
/// The evaluator with a tiny random encoder on synthetic classes (a bright block whose position is the class, on
/// noise) and generators made of real images, so the right answers are known.
/// </summary>
public class EvaluatorTests
{
    const int K = 3, Side = 28;

    static RaeEncoder TinyEncoder()
    {
        manual_seed(11);
        var model = new Dinov2WithRegistersModel(new Dinov2WithRegistersConfig(HiddenSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2,
            ImageSize: Side, PatchSize: 14, NumRegisterTokens: 0));
        model.eval();
        return new RaeEncoder(new Dinov2withNorm(model), new RaeEncoderOptions(Side));
    }

    // n images, item i of class i mod K: noise in 0..63 and a 10×10 block of 255 at a class-specific corner.
    static LabeledImages Classes(long seed, int n)
    {
        using var g = new Generator((ulong)seed);
        var images = randint(0, 64, [n, 1, Side, Side], dtype: ScalarType.Byte, generator: g);
        var labels = arange(n, dtype: ScalarType.Int64) % K;
        for (int i = 0; i < n; i++)
        {
            var k = i % K;
            images[i, 0, TensorIndex.Slice(2 + 8 * k, 12 + 8 * k), TensorIndex.Slice(2 + 8 * k, 12 + 8 * k)] = tensor((byte)255);
        }
        return new LabeledImages(images, labels, ["a", "b", "c"]);
    }

    // A "generator" that returns pool images of class (label + offset) mod K, in order of appearance.
    static Func<long[], long, Tensor> FromPool(LabeledImages pool, int offset) => (labels, seed) =>
    {
        var poolLabels = pool.Labels.data<long>().ToArray();
        var used = new HashSet<int>();
        var picks = labels.Select(y =>
        {
            var want = (y + offset) % K;
            var i = Enumerable.Range(0, poolLabels.Length).First(j => poolLabels[j] == want && used.Add(j));
            return (long)i;
        }).ToArray();
        return pool.ToFloatRgb(tensor(picks));
    };

    static readonly EvaluationOptions Options = new(ReconstructionImages: 12, Samples: 30, BatchSize: 16, Seed: 3,
        Probe: new LinearProbeOptions(Iterations: 100));

    [Fact]
    public void Real_images_of_the_conditioning_class_score_full_probe_accuracy_and_a_far_lower_fd_than_noise()
    {
        var (train, test, pool) = (Classes(1, 30), Classes(2, 30), Classes(3, 60));
        var report = new Evaluator(TinyEncoder(), Side, Options).Evaluate(train, test, FromPool(pool, 0), K);
        Assert.Equal(1.0, report.ProbeTestAccuracy);
        Assert.True(report.ProbeAccuracy >= 0.9, $"probe accuracy {report.ProbeAccuracy}");
        var noise = new Evaluator(TinyEncoder(), Side, Options).Evaluate(train, test, (y, s) => rand(y.Length, 3, Side, Side), K);
        Assert.True(report.Fd < 0.25 * noise.Fd, $"FD of real images {report.Fd}, of noise {noise.Fd} (real floor {report.FdReal})");
        Assert.Null(report.Psnr);
        Assert.Equal(0, report.ReconstructionImages);
    }

    [Fact]
    public void Images_of_the_wrong_class_score_near_zero_probe_accuracy()
    {
        var report = new Evaluator(TinyEncoder(), Side, Options).Evaluate(Classes(1, 30), Classes(2, 30), FromPool(Classes(3, 60), 1), K);
        Assert.True(report.ProbeAccuracy <= 0.1, $"probe accuracy {report.ProbeAccuracy}");
    }

    [Fact]
    public void A_perfect_reconstruction_has_ssim_one_and_unbounded_psnr_and_every_phase_reports_to_its_end()
    {
        var reports = new List<TrainingProgress>();
        var evaluator = new Evaluator(TinyEncoder(), Side, Options, new SyncProgress(reports.Add));
        var report = evaluator.Evaluate(Classes(1, 30), Classes(2, 30), FromPool(Classes(3, 60), 0), K, reconstruct: x => x.clone());
        Assert.Equal(1.0, report.Ssim!.Value, 12);
        Assert.True(double.IsPositiveInfinity(report.Psnr!.Value));
        Assert.Equal(12, report.ReconstructionImages);
        foreach (var phase in new[] { "reconstruct", "real test", "real train", "probe", "generate" })
        {
            var last = reports.Last(r => r.Phase == phase);
            Assert.Equal(last.TotalSteps, last.Step);
        }
    }

    [Fact]
    public void Evaluation_is_deterministic_and_rejects_too_few_images()
    {
        var (train, test, pool) = (Classes(1, 30), Classes(2, 30), Classes(3, 60));
        var a = new Evaluator(TinyEncoder(), Side, Options).Evaluate(train, test, FromPool(pool, 0), K);
        var b = new Evaluator(TinyEncoder(), Side, Options).Evaluate(train, test, FromPool(pool, 0), K);
        Assert.Equal(a with { Seconds = 0 }, b with { Seconds = 0 });
        var e = Assert.Throws<ArgumentException>(() =>
            new Evaluator(TinyEncoder(), Side, Options with { Samples = 40 }).Evaluate(train, test, FromPool(pool, 0), K));
        Assert.Contains("samples", e.Message);
    }

    sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
