using System.Text.Json;
using System.Text.Json.Serialization;
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
