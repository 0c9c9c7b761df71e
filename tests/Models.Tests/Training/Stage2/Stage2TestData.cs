using System.Text.Json.Nodes;
using RAE.Grid.Training.Data;
using RAE.Grid.Training;
using RAE.Grid.Training.Stage2;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage2;

/// <summary>Tiny synthetic data and DiTs for the stage-2 training tests.</summary>
internal static class Stage2TestData
{
    /// <summary>N grey 8×8 images whose pattern depends on the class (a bright row at the label's position), plus noise.</summary>
    public static LabeledImages Images(int n = 64, int classes = 4, long seed = 0)
    {
        using var g = new Generator((ulong)seed);
        var labels = arange(n, dtype: ScalarType.Int64) % classes;
        var images = rand([n, 1, 8, 8], generator: g) * 60;
        for (var i = 0; i < n; i++) images[i, 0, 2 * (int)labels[i].item<long>()].add_(180);
        return new LabeledImages(images.clamp(0, 255).to(ScalarType.Byte), labels,
            Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray());
    }

    /// <summary>A tiny "latent": the image average-pooled to [B, 3, 4, 4] and mapped to [−1, 1].</summary>
    public static Tensor TinyLatent(ImageBatch batch) => nn.functional.avg_pool2d(batch.Images, 2) * 2 - 1;

    /// <summary>DiT^DH params on [3, 4, 4] inputs with <paramref name="classes"/> classes.</summary>
    public static JsonObject DiTDHParams(int classes = 4, double dropout = 0.1) => new()
    {
        ["input_size"] = 4, ["patch_size"] = 1, ["in_channels"] = 3, ["hidden_size"] = new JsonArray(16, 32),
        ["depth"] = new JsonArray(1, 1), ["num_heads"] = new JsonArray(2, 2), ["mlp_ratio"] = 2.0,
        ["class_dropout_prob"] = dropout, ["num_classes"] = classes, ["use_swiglu"] = true, ["use_rope"] = true,
        ["use_rmsnorm"] = true,
    };

    public static DiTTrainingOptions Options(int epochs = 1, int batchSize = 16) => new()
    {
        Params = DiTDHParams(), Epochs = epochs, BatchSize = batchSize, Seed = 7,
        Optimizer = new AdamWSettings(Lr: 1e-3),
    };

    /// <summary>Exactly equal (same shape, every element).</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Reports synchronously (System.Progress posts to a thread pool).</summary>
    public sealed class SyncProgress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
