using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Stage2;

namespace RAE.Grid.Training.Recipe;

/// <summary>
/// A whole RAE training recipe as data (one JSON file, snake_case keys, unknown keys rejected): the frozen encoder's
/// MAE pretraining, the latent statistics, the decoder (stage 1), the diffusion transformer (stage 2), how the
/// bundle is assembled, and the budgets of the ablations. <c>recipes/fashion-mnist.json</c> makes the shipped bundle.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>Bundle name (also its folder name under bundles/).</summary>
    public string Name { get; init; } = "";
    /// <summary>What the bundle is, written into bundle.json.</summary>
    public string Description { get; init; } = "";
    /// <summary>Seed of every stage (data order, masks, noise, times, initialisation).</summary>
    public long Seed { get; init; }
    /// <summary>torch intra-op threads (null: libtorch's default, one per core).</summary>
    public int? Threads { get; init; }
    /// <summary>"fashion-mnist" (the Debian package's IDX files, or --data) or an image folder path.</summary>
    public string Dataset { get; init; } = "fashion-mnist";
    /// <summary>Use only the first N training images (null: all).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Stage 0: the representation encoder, pretrained as an MAE then frozen.</summary>
    public RecipeEncoder Encoder { get; init; } = new();
    /// <summary>Per-position latent statistics.</summary>
    public RecipeStats Stats { get; init; } = new();
    /// <summary>Stage 1: the pixel decoder.</summary>
    public RecipeDecoder Decoder { get; init; } = new();
    /// <summary>Stage 2: the diffusion transformer (the options record of <see cref="DiTTraining"/>).</summary>
    public DiTTrainingOptions Dit { get; init; } = new();
    /// <summary>How the bundle is assembled.</summary>
    public RecipeBundle Bundle { get; init; } = new();
    /// <summary>Budgets of <c>rae-grid ablate</c>.</summary>
    public RecipeAblations Ablations { get; init; } = new();

    /// <summary>The JSON conventions of recipe files: snake_case, unknown keys are errors, comments allowed.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Reads and validates a recipe file; every error names the file and the field.</summary>
    public static TrainingRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"recipe not found: {path}", path);
        TrainingRecipe? recipe;
        try { recipe = JsonSerializer.Deserialize<TrainingRecipe>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
        if (recipe is null) throw new ArgumentException($"{path}: empty recipe");
        try { return recipe.Validated(); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
    }

    /// <summary>Checks every section; throws naming the first bad field.</summary>
    public TrainingRecipe Validated()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name must be a folder name, got '{Name}'");
        if (Threads is < 1) throw new ArgumentException($"threads must be >= 1, got {Threads}");
        if (TrainLimit is < 1) throw new ArgumentException($"train_limit must be >= 1, got {TrainLimit}");
        Encoder.Validate();
        Stats.Validate();
        Decoder.Validate();
        // A bad model param (a ConfigFieldException) names its source "params" itself: "dit.params: field 'x' ...".
        try { Dit.Validated(); } catch (ArgumentException e) { throw new ArgumentException($"dit.{e.Message}", e); }
        Bundle.Validate();
        Ablations.Validate();
        return this;
    }
}

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

/// <summary>The latent statistics section.</summary>
public sealed record RecipeStats
{
    /// <summary>running_average (the official calculate_stat) or two_pass (exact population mean/var).</summary>
    public LatentStatisticsMethod Method { get; init; } = LatentStatisticsMethod.RunningAverage;
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"stats.batch_size must be >= 1, got {BatchSize}");
    }
}

/// <summary>The bundle section.</summary>
public sealed record RecipeBundle
{
    /// <summary>Guidance the bundle samples with: none, cfg or autoguidance (the weak model is the early checkpoint).</summary>
    public string Guidance { get; init; } = "autoguidance";
    /// <summary>Guidance scale.</summary>
    public double Scale { get; init; } = 1.5;
    /// <summary>Sampler grid points (official: 50).</summary>
    public int NumSteps { get; init; } = 50;
    /// <summary>Store weights as float16 to keep the bundle small (the loaders cast to the compute dtype).</summary>
    public bool StoreFloat16 { get; init; } = true;
    /// <summary>Class names (null: the dataset's).</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (Guidance is not ("none" or "cfg" or "autoguidance"))
            throw new ArgumentException($"bundle.guidance must be none, cfg or autoguidance, got '{Guidance}'");
        if (!(Scale >= 0)) throw new ArgumentException($"bundle.scale must be >= 0, got {Scale}");
        if (NumSteps < 2) throw new ArgumentException($"bundle.num_steps must be >= 2, got {NumSteps}");
    }
}

/// <summary>Budgets of the ablations: small, and the same seeds in every arm.</summary>
public sealed record RecipeAblations
{
    /// <summary>Epochs of each DiT arm (latent or pixel).</summary>
    public int DitEpochs { get; init; } = 1;
    /// <summary>Epochs of each decoder arm (τ ablation).</summary>
    public int DecoderEpochs { get; init; } = 1;
    /// <summary>Generated images per arm for FD and probe accuracy.</summary>
    public int EvalSamples { get; init; } = 1000;
    /// <summary>Test images for PSNR/SSIM.</summary>
    public int EvalReconstructions { get; init; } = 1000;
    /// <summary>Sampler grid points during the ablation evaluation.</summary>
    public int EvalSteps { get; init; } = 50;
    /// <summary>DiT backbone width below the latent dimension.</summary>
    public int NarrowWidth { get; init; } = 32;
    /// <summary>
    /// EMA decay of the decoder arms: a one-epoch run at the recipe's 0.999 would leave the EMA mostly at the initial weights.
    /// </summary>
    public double DecoderEmaDecay { get; init; } = 0.99;
    /// <summary>m of the third shift arm (s = √(m/4096); 16384 gives s = 2).</summary>
    public long StrongShiftDim { get; init; } = 16384;
    /// <summary>Noise-augmentation τ of the two decoder arms.</summary>
    public double[] NoiseTaus { get; init; } = [0, 0.8];

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (DitEpochs < 1) throw new ArgumentException($"ablations.dit_epochs must be >= 1, got {DitEpochs}");
        if (DecoderEpochs < 1) throw new ArgumentException($"ablations.decoder_epochs must be >= 1, got {DecoderEpochs}");
        if (EvalSamples < 10) throw new ArgumentException($"ablations.eval_samples must be >= 10, got {EvalSamples}");
        if (EvalReconstructions < 1) throw new ArgumentException($"ablations.eval_reconstructions must be >= 1, got {EvalReconstructions}");
        if (EvalSteps < 2) throw new ArgumentException($"ablations.eval_steps must be >= 2, got {EvalSteps}");
        if (DecoderEmaDecay is < 0 or >= 1) throw new ArgumentException($"ablations.decoder_ema_decay must be in [0, 1), got {DecoderEmaDecay}");
        if (StrongShiftDim < 1) throw new ArgumentException($"ablations.strong_shift_dim must be >= 1, got {StrongShiftDim}");
        if (NarrowWidth < 1) throw new ArgumentException($"ablations.narrow_width must be >= 1, got {NarrowWidth}");
        if (NoiseTaus.Length == 0 || NoiseTaus.Any(t => t < 0)) throw new ArgumentException("ablations.noise_taus must be non-negative values");
    }
}
