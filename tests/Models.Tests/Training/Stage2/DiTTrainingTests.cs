using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Loading;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Stage2;
using static RAE.Grid.Models.Tests.Training.Stage2.Stage2TestData;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage2;

public class DiTTrainingTests
{
    static Dictionary<string, Tensor> Weights(string path) => Checkpoint.ReadStateDict(path).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void Loss_decreases_over_a_few_dozen_steps()
    {
        using var dir = new TempDir();
        var result = DiTTraining.Run(Options(epochs: 5, batchSize: 16), Images(96), TinyLatent, dir.File("out"), dir.File("work"));
        Assert.Equal(30, result.Losses.Count);
        double first = result.Losses.Take(6).Average(), last = result.Losses.TakeLast(6).Average();
        Assert.True(last < 0.8 * first, $"loss {first:F4} -> {last:F4}");
    }

    [Fact]
    public void Resumed_run_matches_uninterrupted_run()
    {
        using var dir = new TempDir();
        var options = Options(epochs: 3);
        var data = Images(32);  // 2 steps per epoch: the cancel after step 3 lands mid-epoch
        var full = DiTTraining.Run(options, data, TinyLatent, dir.File("a/out"), dir.File("a/work"));

        using var cts = new CancellationTokenSource();
        var stopAt3 = new SyncProgress(p => { if (p.Step == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DiTTraining.Run(options, data, TinyLatent, dir.File("b/out"), dir.File("b/work"), stopAt3, cts.Token));
        Assert.True(File.Exists(dir.File("b/work/" + DiTTraining.CheckpointFile)));
        var resumed = DiTTraining.Run(options, data, TinyLatent, dir.File("b/out"), dir.File("b/work"));

        Assert.Equal(full.Steps, resumed.Steps);
        Assert.Equal(full.Losses.Skip(3), resumed.Losses);
        var a = Weights(dir.File("a/out/" + DiTTraining.ModelFile));
        var b = Weights(dir.File("b/out/" + DiTTraining.ModelFile));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, t) in a) Assert.True(Same(t, b[key]), key);
    }

    [Fact]
    public void A_checkpoint_is_resumed_under_the_same_recipe_and_refused_under_a_changed_one_naming_the_file()
    {
        using var dir = new TempDir();
        var options = Options();
        var data = Images(32);  // 2 steps
        var work = dir.File("work");
        var checkpoint = Path.Combine(work, DiTTraining.CheckpointFile);
        DiTTraining.Run(options, data, TinyLatent, dir.File("out"), work);

        // The export dtype and the output folder may change between resumes: the finished checkpoint is resumed.
        var resumed = DiTTraining.Run(options with { StoreFloat16 = true }, data, TinyLatent, dir.File("out16"), work);
        Assert.Equal(2, resumed.Steps);
        Assert.Empty(resumed.Losses);

        var e = Assert.Throws<InvalidOperationException>(() =>
            DiTTraining.Run(options with { Optimizer = new AdamWSettings(Lr: 2e-3) }, data, TinyLatent, dir.File("out"), work));
        Assert.StartsWith(checkpoint + ":", e.Message);
        Assert.Contains("optimizer.lr 0.001 → 0.002", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => DiTTraining.Run(options, Images(32, seed: 1), TinyLatent, dir.File("out"), work));
        Assert.Contains("data.sha256", e.Message);
    }

    [Fact]
    public void Weak_checkpoint_is_written_at_the_step_asked_and_differs_from_the_final()
    {
        using var dir = new TempDir();
        var weakPath = dir.File("out/" + DiTTraining.WeakModelFile);
        var seen = new Dictionary<long, bool>();
        var progress = new SyncProgress(p => seen[p.Step] = File.Exists(weakPath));
        var result = DiTTraining.Run(Options(epochs: 2) with { WeakStep = 2, EmaDecay = 0.5 }, Images(64), TinyLatent,
            dir.File("out"), dir.File("work"), progress);

        Assert.False(seen[2]);  // reported before the export of step 2
        Assert.True(seen[3]);
        using (var file = SafeTensorsFile.Open(weakPath)) Assert.Equal("2", file.Metadata["step"]);
        Assert.Equal(DiTTraining.WeakModelFile, result.GuidanceModel!.Ckpt);
        var weak = Weights(weakPath);
        var final = Weights(dir.File("out/" + DiTTraining.ModelFile));
        Assert.Contains(weak.Keys, k => !weak[k].allclose(final[k]));
    }

    [Fact]
    public void Exported_weights_load_strictly_through_Stage2Loader()
    {
        using var dir = new TempDir();
        foreach (var fp16 in new[] { false, true })
        {
            var outDir = dir.File(fp16 ? "out16" : "out32");
            var result = DiTTraining.Run(Options() with { StoreFloat16 = fp16, WeakStep = 1 }, Images(32), TinyLatent, outDir, dir.File(fp16 ? "w16" : "w32"));
            var bundle = new RaeBundle { BaseDir = outDir };
            var model = Stage2Loader.Load(bundle, result.Stage2, "stage_2");
            var weak = Stage2Loader.Load(bundle, result.GuidanceModel!, "guidance.guidance_model");
            using var _ = no_grad();
            var x = randn(2, 3, 4, 4);
            Assert.Equal(x.shape, model.Velocity(x, tensor(new[] { 0.3f, 0.7f }), tensor(new long[] { 0, 1 })).shape);
            Assert.Equal(x.shape, weak.Velocity(x, tensor(new[] { 0.3f, 0.7f }), tensor(new long[] { 0, 1 })).shape);
        }
    }

    [Fact]
    public void Progress_reports_loss_grad_norm_and_lr_every_step()
    {
        using var dir = new TempDir();
        var reports = new List<RAE.Grid.Training.TrainingProgress>();
        DiTTraining.Run(Options(), Images(32), TinyLatent, dir.File("out"), dir.File("work"), new SyncProgress(reports.Add));
        Assert.Equal(new long[] { 1, 2 }, reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(2, r.TotalSteps));
        Assert.All(reports, r => Assert.True(r.Metrics["loss"] > 0 && r.Metrics["grad_norm"] > 0 && r.Metrics["lr"] > 0));
    }
}
