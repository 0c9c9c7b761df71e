using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Stage1;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage1;

public sealed class DecoderTrainingTests : IDisposable
{
    // One intra-op thread per test: libtorch's 2-thread pool is many times slower when other processes share the
    // 2 cores (measured: ~20 ms vs 1-2 s per tiny step under load). Restored after each test.
    readonly int _threads = get_num_threads();
    public DecoderTrainingTests() => set_num_threads(1);
    public void Dispose() => set_num_threads(_threads);

    // A tiny decoder so every test stays within seconds on 2 cores.
    static readonly DecoderTrainingOptions Tiny = new(
        Decoder: new DecoderConfig(32, 2, 2, 64), DecoderPatchSize: 7, Epochs: 2, BatchSize: 32, Lr: 3e-3, WarmupEpochs: 0.25,
        FinalLr: 3e-4, EmaDecay: 0.9, Seed: 11);

    // Read once per test run: the reader decodes the whole training file whatever the limit.
    static readonly Lazy<LabeledImages> Train = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "train", limit: 256));

    static LabeledImages Images(int n) => Train.Value.Take(n);

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public void Report(TrainingProgress value) { Reports.Add(value); onReport?.Invoke(value); }
    }

    [Fact]
    public void A_few_dozen_steps_lower_the_L1()
    {
        using var encoder = ToyMae.Create();
        using var dir = new TempDir();
        var recorder = new Recorder();
        var result = DecoderTraining.Run(encoder, Images(256), Tiny with { Epochs = 4 }, dir.File("work"), dir.File("out"), recorder);
        Assert.Equal(32, result.Steps);
        var first = result.L1History.Take(5).Average();
        var last = result.L1History.TakeLast(5).Average();
        Assert.True(last < 0.9 * first, $"L1 {first:F4} → {last:F4}");
        Assert.Equal(32, recorder.Reports.Count);
        Assert.All(recorder.Reports, r => Assert.True(r.Metrics["perceptual"] > 0));
        Assert.All(["l1", "perceptual", "gan", "lambda", "lr"], k => Assert.Contains(k, recorder.Reports[^1].Metrics.Keys));
        Assert.Equal(0, recorder.Reports[0].Metrics["lr"]); // warmup starts from 0
    }

    [Fact]
    public void Resumed_run_matches_uninterrupted_run()
    {
        var options = Tiny with { BatchSize = 16, UseGan = true, DiscStart = 0.5, GanStart = 1.0 };
        var data = Images(64); // 4 steps per epoch, 8 in all
        using var dir = new TempDir();
        using var encoder = ToyMae.Create();
        var full = DecoderTraining.Run(encoder, data, options, dir.File("work-a"), dir.File("out-a"));

        using var cts = new CancellationTokenSource();
        var stopper = new Recorder(r => { if (r.Step == 6) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DecoderTraining.Run(encoder, data, options, dir.File("work-b"), dir.File("out-b"), stopper, cts.Token));
        Assert.True(File.Exists(DecoderTraining.CheckpointPath(dir.File("work-b"))));
        var resumed = DecoderTraining.Run(encoder, data, options, dir.File("work-b"), dir.File("out-b"));

        Assert.Equal(8, full.Steps);
        Assert.Equal(8, resumed.Steps);
        Assert.Equal(full.L1History.Skip(6), resumed.L1History);
        var a = Checkpoint.ReadStateDict(full.WeightsPath);
        var b = Checkpoint.ReadStateDict(resumed.WeightsPath);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys) Assert.True(TensorAssert.BitEqual(a[key], b[key]), key);
    }

    [Fact]
    public void A_checkpoint_is_resumed_under_the_same_recipe_and_refused_under_a_changed_one_naming_the_file()
    {
        var options = Tiny with { Epochs = 1, BatchSize = 16 };
        var data = Images(32); // 2 steps
        using var dir = new TempDir();
        using var encoder = ToyMae.Create();
        var work = dir.File("work");
        DecoderTraining.Run(encoder, data, options, work, dir.File("out"));

        // The export dtype and the output folder may change between resumes: the finished checkpoint is resumed.
        var resumed = DecoderTraining.Run(encoder, data, options with { ExportFp16 = true }, work, dir.File("out16"));
        Assert.Equal(2, resumed.Steps);
        Assert.Empty(resumed.L1History);

        var e = Assert.Throws<InvalidOperationException>(() => DecoderTraining.Run(encoder, data, options with { Lr = 1e-3 }, work, dir.File("out")));
        Assert.StartsWith(DecoderTraining.CheckpointPath(work) + ":", e.Message);
        Assert.Contains("lr 0.003 → 0.001", e.Message);
        using var otherNoise = ToyMae.Create(noiseTau: 0.5);
        e = Assert.Throws<InvalidOperationException>(() => DecoderTraining.Run(otherNoise, data, options, work, dir.File("out")));
        Assert.Contains("encoder.noise_tau 0.8 → 0.5", e.Message);
    }

    [Fact]
    public void Exported_decoder_loads_strictly_as_the_stage1_loader_does()
    {
        using var encoder = ToyMae.Create();
        using var dir = new TempDir();
        using var training = new DecoderTraining(encoder, Tiny with { Epochs = 1 });
        var result = training.Train(Images(64), dir.File("work"), dir.File("out"));
        Assert.Equal(Path.Combine(dir.File("out"), "decoder", "config.json"), result.ConfigPath);

        // Stage1Loader: DecoderConfig.Load(...).ForRae(encoder width, grid², decoder patch) → LoadFrozen.
        var config = DecoderConfig.Load(result.ConfigPath).ForRae(32, 16, 7);
        using var decoder = new GeneralDecoder(config);
        StateDictLoader.LoadFrozen(decoder, Checkpoint.ReadStateDict(result.WeightsPath), result.WeightsPath,
            optional: GeneralDecoder.OptionalKeys);
        using var tokens = randn(2, 16, 32);
        using var expected = training.EmaDecoder.forward(tokens);
        using var actual = decoder.forward(tokens);
        Assert.True(TensorAssert.BitEqual(expected, actual));

        var (_, halfPath) = DecoderTraining.Export(training.EmaDecoder, dir.File("half"), fp16: true);
        var half = Checkpoint.ReadStateDict(halfPath);
        Assert.Equal(ScalarType.Float16, half["decoder_pred.weight"].dtype);
        using var fromHalf = new GeneralDecoder(config);
        StateDictLoader.LoadFrozen(fromHalf, half, halfPath, optional: GeneralDecoder.OptionalKeys);
    }

    [Fact]
    public void Gan_phase_runs_when_enabled()
    {
        using var encoder = ToyMae.Create();
        using var dir = new TempDir();
        var recorder = new Recorder();
        var options = Tiny with { Epochs = 1, UseGan = true, DiscStart = 0, GanStart = 0.5, PerceptualWeight = 0.5 };
        DecoderTraining.Run(encoder, Images(128), options, dir.File("work"), dir.File("out"), recorder);
        Assert.All(recorder.Reports, r => Assert.True(double.IsFinite(r.Metrics["disc"]) && r.Metrics["disc"] > 0));
        var ganSteps = recorder.Reports.Where(r => r.Step > 2).ToList(); // steps 2, 3 (reported as 3, 4) are past gan_start
        Assert.Equal(2, ganSteps.Count);
        Assert.All(ganSteps, r => Assert.True(double.IsFinite(r.Metrics["gan"]) && r.Metrics["lambda"] > 0));
        Assert.Equal(0, recorder.Reports[0].Metrics["lambda"]);
    }

    [Fact]
    public void Options_validation_names_the_bad_field()
    {
        Assert.Contains("ema_decay", Assert.Throws<ArgumentException>(() => (Tiny with { EmaDecay = 1.5 }).Validate()).Message);
        Assert.Contains("gan_start", Assert.Throws<ArgumentException>(() => (Tiny with { GanStart = -1 }).Validate()).Message);
        Assert.Contains("warmup_epochs", Assert.Throws<ArgumentException>(() => (Tiny with { WarmupEpochs = 9 }).Validate()).Message);
    }
}
