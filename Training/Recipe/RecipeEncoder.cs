using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Training.Recipe;

/// <summary>The encoder section: its HF ViT-MAE config (with the pretraining decoder_* fields) and the MAE recipe.</summary>
public sealed record RecipeEncoder
{
    /// <summary>HF <c>ViTMAEConfig</c> JSON (model_type vit_mae, hidden_size, ..., decoder_*, norm_pix_loss, mask_ratio).</summary>
    public JsonObject Config { get; init; } = new() { ["model_type"] = "vit_mae" };
    /// <summary>Pretraining epochs.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Images per step (MAE: 4096 at ImageNet scale).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Peak learning rate (null: MAE's 1.5e-4 · batch / 256).</summary>
    public double? Lr { get; init; }
    /// <summary>Fraction of the steps spent warming up (MAE: 40 of 800 epochs).</summary>
    public double WarmupFraction { get; init; } = 0.05;
    /// <summary>AdamW weight decay (MAE: 0.05).</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"encoder.epochs must be >= 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"encoder.batch_size must be >= 1, got {BatchSize}");
        if (Lr is { } lr && !(lr > 0)) throw new ArgumentException($"encoder.lr must be > 0, got {lr}");
        if (WarmupFraction is < 0 or > 1) throw new ArgumentException($"encoder.warmup_fraction must be in [0, 1], got {WarmupFraction}");
        if (WeightDecay < 0) throw new ArgumentException($"encoder.weight_decay must be >= 0, got {WeightDecay}");
        // The config's errors name it "encoder.config" already.
        try { Mae.ViTMAEPreTrainingConfig.FromJson(JsonDocument.Parse(Config.ToJsonString()).RootElement, "encoder.config"); }
        catch (ConfigFieldException e) { throw new ArgumentException(e.Message, e); }
    }
}
