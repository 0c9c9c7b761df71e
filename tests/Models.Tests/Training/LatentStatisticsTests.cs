using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Mae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training;

public class LatentStatisticsTests
{
    // A random MAE encoder on 8² images (patch 4 → latent [16, 2, 2]); noise τ > 0 so eval mode must switch it off.
    static RaeEncoder Encoder()
    {
        var config = new ViTMAEPreTrainingConfig(
            new ViTMAEConfig(HiddenSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, IntermediateSize: 32, ImageSize: 8, PatchSize: 4),
            DecoderHiddenSize: 8, DecoderNumHiddenLayers: 1, DecoderNumAttentionHeads: 2, DecoderIntermediateSize: 16);
        var mae = new ViTMAEForPreTraining(config, new Generator(11));
        return new RaeEncoder(new MAEwNorm(mae.vit), new RaeEncoderOptions(8, NoiseTau: 0.8));
    }

    static LabeledImages Data(int n)
    {
        var g = new Generator(12);
        return new LabeledImages(randint(0, 256, [n, 1, 8, 8], dtype: ScalarType.Byte, generator: g),
            zeros(n, dtype: ScalarType.Int64), ["x"]);
    }

    // The latents in the order Compute sees them: EpochBatches epoch 0 with flips, last partial batch kept, eval mode.
    static List<Tensor> Latents(RaeEncoder encoder, LabeledImages data, int batchSize)
    {
        encoder.eval();
        using var _ = inference_mode();
        var list = new List<Tensor>();
        foreach (var b in new EpochBatches(data, batchSize, seed: 5, horizontalFlip: true, dropLast: false).Epoch(0))
            using (b) list.Add(encoder.EncodeRaw(b.Images));
        encoder.train();
        return list;
    }

    [Fact]
    public void Running_average_matches_the_official_recurrence_computed_directly()
    {
        using var encoder = Encoder();
        var data = Data(70); // batches of 16: 4 full + 1 of 6
        using var r = LatentStatistics.Compute(encoder, data, new LatentStatisticsOptions(BatchSize: 16, Seed: 5));
        Assert.True(encoder.training); // mode restored

        var mean = zeros(16, 2, 2);
        var var = ones(16, 2, 2);
        foreach (var z in Latents(encoder, data, 16))
        {
            // the official stats module: running_mean.mul_(1 - m).add_(mean, alpha=m), population variance
            mean = mean * 0.9f + z.mean([0]) * 0.1f;
            var = var * 0.9f + z.var(0, unbiased: false) * 0.1f;
        }
        Assert.Equal(70, r.Samples);
        Assert.Equal(new long[] { 16, 2, 2 }, r.Mean.shape);
        Assert.True(r.Mean.allclose(mean, rtol: 0, atol: 1e-6), $"mean max diff {(r.Mean - mean).abs().max().item<float>()}");
        Assert.True(r.Var.allclose(var, rtol: 0, atol: 1e-6), $"var max diff {(r.Var - var).abs().max().item<float>()}");
    }

    [Fact]
    public void Two_pass_matches_torch_population_mean_and_var()
    {
        using var encoder = Encoder();
        var data = Data(70);
        using var r = LatentStatistics.Compute(encoder, data,
            new LatentStatisticsOptions(BatchSize: 16, Seed: 5, Method: LatentStatisticsMethod.TwoPass));
        var all = cat(Latents(encoder, data, 16), 0).to(ScalarType.Float64);
        Assert.Equal(70, all.shape[0]);
        var (mean, var) = (all.mean([0]), all.var(0, unbiased: false));
        Assert.True(r.Mean.to(ScalarType.Float64).allclose(mean, rtol: 0, atol: 1e-6), $"mean max diff {(r.Mean - mean).abs().max().item<double>()}");
        Assert.True(r.Var.to(ScalarType.Float64).allclose(var, rtol: 1e-6, atol: 1e-7), $"var max diff {(r.Var - var).abs().max().item<double>()}");
        Assert.Equal(ScalarType.Float32, r.Var.dtype);
    }

    [Fact]
    public void Written_statistics_read_back_through_LatentStatsFile()
    {
        using var dir = new TempDir();
        using var encoder = Encoder();
        using var r = LatentStatistics.Compute(encoder, Data(40), new LatentStatisticsOptions(BatchSize: 16));
        r.Save(dir.File("stat.safetensors"));
        var stats = LatentStatsFile.Read(dir.File("stat.safetensors"));
        Assert.True(TensorAssert.BitEqual(r.Mean, stats.Mean!));
        Assert.True(TensorAssert.BitEqual(r.Var, stats.Var!));
    }

    [Fact]
    public void Progress_is_reported_per_batch_and_options_name_the_bad_field()
    {
        using var encoder = Encoder();
        var reports = new List<TrainingProgress>();
        var sink = new Sink(reports);
        using var r = LatentStatistics.Compute(encoder, Data(40), new LatentStatisticsOptions(BatchSize: 16, Method: LatentStatisticsMethod.TwoPass), sink);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), reports.Select(p => p.Step)); // 3 batches × 2 passes
        Assert.All(reports, p => Assert.Equal(6, p.TotalSteps));
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => new LatentStatisticsOptions(Momentum: 0).Validated()).Message);
    }

    sealed class Sink(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
