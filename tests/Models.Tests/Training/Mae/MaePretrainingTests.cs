using RAE.Grid.Training.Data;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Mae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Mae;

public class MaePretrainingTests
{
    // Reports synchronously on the training thread (Progress<T> would post to the thread pool).
    sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public void Report(TrainingProgress value) { Reports.Add(value); onReport?.Invoke(value); }
    }

    // 8² grey images, patch 4 (4 tokens, 3 masked), hidden 16, decoder 8.
    static readonly ViTMAEPreTrainingConfig Small = new(
        new ViTMAEConfig(HiddenSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, IntermediateSize: 32, ImageSize: 8, PatchSize: 4),
        DecoderHiddenSize: 8, DecoderNumHiddenLayers: 1, DecoderNumAttentionHeads: 2, DecoderIntermediateSize: 16, NormPixLoss: true);

    static LabeledImages RandomImages(int n, int size, long seed)
    {
        var g = new Generator((ulong)seed);
        return new LabeledImages(randint(0, 256, [n, 1, size, size], dtype: ScalarType.Byte, generator: g),
            randint(0, 10, [n], dtype: ScalarType.Int64, generator: g), Enumerable.Range(0, 10).Select(i => $"c{i}").ToList());
    }

    [Fact]
    public void A_few_dozen_steps_on_Fashion_MNIST_lower_the_loss_and_export_a_loadable_encoder()
    {
        using var dir = new TempDir();
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 256);
        var options = new MaePretrainingOptions(dir.File("work"), dir.File("out"), BatchSize: 32, Epochs: 3, Lr: 1e-3, WarmupFraction: 0.1);
        var progress = new Recorder();
        // One intra-op thread: libtorch's 2-thread pool is many times slower when other processes share the 2 cores.
        var threads = get_num_threads();
        set_num_threads(1);
        MaePretrainingResult r;
        try { r = MaePretraining.Run(train, options, progress); }
        finally { set_num_threads(threads); }

        Assert.Equal(24, r.Steps);
        Assert.Equal(24, r.Losses.Count);
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), progress.Reports.Select(p => p.Step));
        Assert.All(progress.Reports, p => { Assert.Equal(24, p.TotalSteps); Assert.Contains("loss", p.Metrics); Assert.Contains("lr", p.Metrics); });
        double first = r.Losses.Take(5).Average(), last = r.Losses.TakeLast(5).Average();
        Assert.True(last < 0.9 * first, $"loss {first:F4} → {last:F4}");

        using var vit = ViTMAEModel.Load(ViTMAEConfig.FromFile(r.ConfigPath),
            RAE.Grid.Models.Checkpoints.SafeTensorsFile.ReadAll(r.WeightsPath), r.WeightsPath);
        using var encoder = new MAEwNorm(vit);
        using var images = train.ToFloatRgb(0, 3);
        using var z = encoder.EncodeTokens(encoder.PixelNormalization.Normalize(images));
        Assert.Equal(new long[] { 3, 16, 64 }, z.shape);
        Assert.True(File.Exists(options.CheckpointPath));
    }

    [Fact]
    public void Resumed_run_matches_uninterrupted_run_bit_for_bit()
    {
        using var dir = new TempDir();
        var data = RandomImages(64, 8, 7);
        MaePretrainingOptions Options(string name) =>
            new(dir.File(name + "-work"), dir.File(name + "-out"), Small, BatchSize: 16, Epochs: 3, Lr: 1e-3, WarmupFraction: 0.25, Seed: 3);

        var whole = MaePretraining.Run(data, Options("whole"));
        Assert.Equal(12, whole.Steps);

        // Cancel after step 6 (the middle of epoch 1): the checkpoint is written, then the run throws.
        using var cts = new CancellationTokenSource();
        var stopAt6 = new Recorder(p => { if (p.Step == 6) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => MaePretraining.Run(data, Options("split"), stopAt6, cts.Token));
        var resumed = MaePretraining.Run(data, Options("split"));

        Assert.Equal(6, resumed.StartStep);
        Assert.Equal(whole.Losses.Skip(6), resumed.Losses);
        var a = RAE.Grid.Models.Checkpoints.SafeTensorsFile.ReadAll(whole.WeightsPath);
        var b = RAE.Grid.Models.Checkpoints.SafeTensorsFile.ReadAll(resumed.WeightsPath);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, v) in a) Assert.True(TensorAssert.BitEqual(v, b[k]), k);

        // A finished run resumes to "nothing left" and re-exports the same weights.
        var again = MaePretraining.Run(data, Options("split"));
        Assert.Equal(12, again.StartStep);
        Assert.Empty(again.Losses);
    }

    [Fact]
    public void A_checkpoint_is_resumed_under_the_same_recipe_and_refused_under_a_changed_one_naming_the_file()
    {
        using var dir = new TempDir();
        var data = RandomImages(32, 8, 7);
        var options = new MaePretrainingOptions(dir.File("work"), dir.File("out"), Small, BatchSize: 16, Epochs: 1, Lr: 1e-3, Seed: 3);
        MaePretraining.Run(data, options);

        // Output folder, export dtype and an overridden base lr (the peak lr is still 1e-3) do not change the run: resumed.
        var resumed = MaePretraining.Run(data, options with { OutputDirectory = dir.File("out16"), ExportFloat16 = true, BaseLr = 3e-4 });
        Assert.Equal(2, resumed.StartStep);
        Assert.Empty(resumed.Losses);

        var e = Assert.Throws<InvalidOperationException>(() => MaePretraining.Run(data, options with { Seed = 4 }));
        Assert.StartsWith(options.CheckpointPath + ":", e.Message);
        Assert.Contains("seed 3 → 4", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => MaePretraining.Run(data, options with { Lr = null }));
        Assert.Contains("peak_lr 0.001 → ", e.Message);
    }

    [Fact]
    public void Parameter_groups_follow_MAE_add_weight_decay()
    {
        using var model = new ViTMAEForPreTraining(Small, new Generator(0));
        var names = model.named_parameters().ToDictionary(kv => kv.parameter.Handle, kv => kv.name);
        var (decay, noDecay) = MaeParameterGroups.Split(model);
        var decayed = decay.Select(p => names[p.Handle]).ToHashSet();
        var exempt = noDecay.Select(p => names[p.Handle]).ToHashSet();
        Assert.Contains("vit.embeddings.cls_token", decayed);       // MAE pre-training decays the tokens
        Assert.Contains("decoder.mask_token", decayed);
        Assert.Contains("vit.encoder.layer.0.attention.attention.query.weight", decayed);
        Assert.Contains("vit.embeddings.patch_embeddings.projection.weight", decayed);
        Assert.Contains("vit.layernorm.weight", exempt);
        Assert.Contains("decoder.decoder_pred.bias", exempt);
        Assert.DoesNotContain("vit.embeddings.position_embeddings", decayed.Concat(exempt)); // frozen
        Assert.DoesNotContain("decoder.decoder_pos_embed", decayed.Concat(exempt));
        var (_, tokensExempt) = MaeParameterGroups.Split(model, exemptTokens: true);
        Assert.Contains("decoder.mask_token", tokensExempt.Select(p => names[p.Handle]));
    }

    [Fact]
    public void Options_name_the_bad_field()
    {
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => new MaePretrainingOptions("w", "o", BatchSize: 0).Validated()).Message);
        Assert.Contains("WarmupFraction", Assert.Throws<ArgumentException>(() => new MaePretrainingOptions("w", "o", WarmupFraction: 1).Validated()).Message);
        Assert.Equal(1.5e-4 * 512 / 256, new MaePretrainingOptions("w", "o", BatchSize: 512).PeakLr, 12);
    }
}
