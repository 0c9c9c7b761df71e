using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Verifiers;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.T2I;

/// <summary>
/// The Scale-RAE joint training at toy size (a few hundred images, tens of steps, a 1-layer LLM and head): both losses
/// are finite and fall, an interrupted run resumes to the same weights as an uninterrupted one, and the written bundle
/// loads, generates latents of the base bundle's shape and scores them with both LLM verifiers; a checkpoint of another
/// recipe is refused.
/// </summary>
public sealed class T2ITrainingTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "t2i-train-" + Guid.NewGuid().ToString("N"));

    static string BaseBundle => Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "fashion-mnist");

    static T2IRecipe Tiny(int steps) => new T2IRecipe
    {
        Kind = T2IRecipe.KindName, Name = "tiny-t2i-train", Description = "test", Seed = 3, BaseBundle = BaseBundle, TrainLimit = 300,
        Llm = new T2ILlmRecipe { HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 4, NumKeyValueHeads = 2, IntermediateSize = 64 },
        DiffHead = new JsonObject
        {
            ["input_size"] = 4, ["patch_size"] = 1, ["in_channels"] = 64, ["hidden_size"] = 32, ["depth"] = 1, ["num_heads"] = 2,
            ["mlp_ratio"] = 2, ["z_channels"] = 32, ["class_dropout_prob"] = 0.1, ["cond_silu"] = true,
        },
        Training = new T2ITrainingRecipe
        {
            Steps = steps, GenerationBatch = 16, UnderstandingBatch = 8, Optimizer = new AdamWSettings(Lr: 2e-3),
            ConstantSteps = steps, CheckpointInterval = 10,
        },
        SampleSteps = 4,
    }.Validated();

    sealed class CancelAt(long step, CancellationTokenSource cts) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) { if (p.Step == step) cts.Cancel(); }
    }

    string Run(string name, int steps, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default) =>
        T2IRecipeRunner.Run(Tiny(steps), FashionMnist.DefaultDirectory, Path.Combine(_dir, name), Path.Combine(_dir, name + "-work"),
            progress, ct: ct).BundlePath;

    [Fact]
    public void Joint_losses_fall_a_resumed_run_matches_and_the_bundle_generates_and_verifies()
    {
        var (bundlePath, result) = T2IRecipeRunner.Run(Tiny(40), FashionMnist.DefaultDirectory, Path.Combine(_dir, "a"), Path.Combine(_dir, "a-work"));
        Assert.Equal(40, result.Step);
        Assert.All(result.LmLosses.Concat(result.DiffusionLosses), l => Assert.True(double.IsFinite(l)));
        double Mean(IEnumerable<double> x) => x.Average();
        var (lm0, lm1) = (Mean(result.LmLosses.Take(10)), Mean(result.LmLosses.TakeLast(10)));
        var (d0, d1) = (Mean(result.DiffusionLosses.Take(10)), Mean(result.DiffusionLosses.TakeLast(10)));
        Console.WriteLine($"lm loss {lm0:F4} -> {lm1:F4}, diffusion loss {d0:F4} -> {d1:F4}");
        Assert.True(lm1 < lm0, $"LM loss did not fall: {lm0} -> {lm1}");
        Assert.True(d1 < d0, $"diffusion loss did not fall: {d0} -> {d1}");

        // Interrupted at step 15 (checkpoint written on cancellation), then rerun: same weights as the uninterrupted run.
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => Run("b", 40, new CancelAt(15, cts), cts.Token));
        Run("b", 40);
        using (var a = SafeTensorsFile.Open(Path.Combine(_dir, "a", T2IBundleWriter.WeightsFile)))
        using (var b = SafeTensorsFile.Open(Path.Combine(_dir, "b", T2IBundleWriter.WeightsFile)))
        {
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            var worst = a.Keys.Max(k => { using var s = NewDisposeScope(); return (a.Load(k) - b.Load(k)).abs().max().item<float>(); });
            Console.WriteLine($"resumed vs uninterrupted: max abs weight difference {worst:G3}");
            Assert.True(worst <= 1e-6, $"resumed weights differ by {worst}");
        }
        // The same work folder under a changed recipe (more steps: another LR schedule) is refused, naming the checkpoint.
        var refused = Assert.Throws<InvalidOperationException>(() => Run("b", 60));
        Assert.Contains(T2ITraining.CheckpointFile, refused.Message);
        Assert.Contains("different recipe", refused.Message);

        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(bundlePath);
        var t2i = model.TextToImage();
        string[] prompts = ["a photo of a sneaker", "a photo of a pair of trousers"];
        var latents = t2i.Generate(t2i.Condition(prompts), [1, 2], [0, 0], 4, 1.0, ScaleRaeSampler.Euler);
        Assert.Equal([2L, .. model.Bundle.Misc.LatentSize!.Select(v => (long)v)], latents.shape);
        var conditions = prompts.Select(p => new LatentCondition(FashionCaptions.LabelOf(p)!.Value, p)).ToArray();
        foreach (var name in new[] { "answer-logits", "prompt-confidence", "probe" })
        {
            var scores = model.Verifier(name).Score(latents, conditions);
            Assert.Equal(2, scores.shape[0]);
            Assert.True(scores.isfinite().all().item<bool>(), $"{name} scores are not finite");
        }
    }

    [Fact]
    public void The_fingerprint_holds_what_decides_the_weights_and_leaves_out_sampling_defaults_and_the_checkpoint_interval()
    {
        var recipe = Tiny(40);
        var same = recipe with
        {
            Name = "renamed", Description = "other", Threads = 1, SampleSteps = 9, CfgScale = 2, StoreFloat16 = true,
            Training = recipe.Training with { CheckpointInterval = 7 },
        };
        Assert.Equal(recipe.Fingerprint().Hash, same.Fingerprint().Hash);
        Assert.Equal("40", recipe.Fingerprint().Inputs["training.steps"]);
        Assert.Equal("32", recipe.Fingerprint().Inputs["diff_head.hidden_size"]);
        Assert.NotEqual(recipe.Fingerprint().Hash, (recipe with { Seed = 4 }).Fingerprint().Hash);
        Assert.NotEqual(recipe.Fingerprint().Hash, (recipe with { TrainLimit = 200 }).Fingerprint().Hash);
        Assert.NotEqual(recipe.Fingerprint().Hash, (recipe with { Llm = recipe.Llm with { IntermediateSize = 32 } }).Fingerprint().Hash);
    }

    [Fact]
    public void The_shipped_recipe_loads_and_bad_fields_are_named()
    {
        var root = ClassProbeVerifierTests.RepositoryRoot();
        var path = Path.Combine(root, "recipes", "fashion-mnist-t2i.json");
        Assert.True(T2IRecipe.IsT2I(path));
        Assert.False(T2IRecipe.IsT2I(Path.Combine(root, "recipes", "fashion-mnist.json")));
        var recipe = T2IRecipe.Load(path);
        Assert.Equal("fashion-mnist-t2i", recipe.Name);
        Assert.Equal(16, recipe.DiTConfig().InputSize * recipe.DiTConfig().InputSize);
        var e = Assert.Throws<ArgumentException>(() => (recipe with { Training = recipe.Training with { VisionCoef = -1 } }).Validated());
        Assert.Contains("training.vision_coef", e.Message);
        e = Assert.Throws<ArgumentException>(() => (recipe with { Llm = recipe.Llm with { NumKeyValueHeads = 3 } }).Validated());
        Assert.Contains("llm.num_key_value_heads", e.Message);
        var bad = Path.Combine(_dir, "bad.json");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(bad, File.ReadAllText(path).Replace("\"vision_coef\"", "\"vision_coeff\""));
        e = Assert.Throws<ArgumentException>(() => T2IRecipe.Load(bad));
        Assert.Contains("vision_coeff", e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
