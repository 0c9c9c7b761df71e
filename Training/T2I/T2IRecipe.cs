using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.T2I;
using RAE.Grid.Training.Recipe;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// A Scale-RAE text-to-image training recipe as data (one JSON file with <c>"kind": "t2i"</c>, snake_case keys, unknown
/// keys rejected, the conventions of <see cref="TrainingRecipe"/>): the base bundle whose frozen stage 1 the model
/// generates latents for, the tiny Qwen2, the LightningDiT head's official arguments, and the joint training.
/// <c>recipes/fashion-mnist-t2i.json</c> makes the shipped <c>fashion-mnist-t2i</c> bundle.
/// </summary>
public sealed record T2IRecipe
{
    /// <summary>The value of <c>kind</c> that marks a T2I recipe.</summary>
    public const string KindName = "t2i";

    /// <summary>Always <see cref="KindName"/>.</summary>
    public string Kind { get; init; } = "";
    /// <summary>Bundle name (also its folder name under bundles/).</summary>
    public string Name { get; init; } = "";
    /// <summary>What the bundle is, written into bundle.json.</summary>
    public string Description { get; init; } = "";
    /// <summary>Seed of the initialisation, the data draws, noise, times and condition dropout.</summary>
    public long Seed { get; init; }
    /// <summary>torch intra-op threads (null: libtorch's default).</summary>
    public int? Threads { get; init; }
    /// <summary>Folder of the trained class-conditional bundle whose frozen stage 1 (encoder, stats, decoder) is used.</summary>
    public string BaseBundle { get; init; } = "bundles/fashion-mnist";
    /// <summary>Use only the first N Fashion-MNIST training images (null: all).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>The Qwen2 sizes.</summary>
    public T2ILlmRecipe Llm { get; init; } = new();
    /// <summary>The LightningDiT head's official constructor arguments (in_channels and input_size = the base latent).</summary>
    public JsonObject DiffHead { get; init; } = new();
    /// <summary>The joint training.</summary>
    public T2ITrainingRecipe Training { get; init; } = new();
    /// <summary>Sampling steps the bundle's prompt jobs default to.</summary>
    public int SampleSteps { get; init; } = 50;
    /// <summary>Store the shipped weights as float16 (loaded as float32) to keep the bundle small.</summary>
    public bool StoreFloat16 { get; init; }
    /// <summary>Real CFG scale (learned null condition) the bundle's prompt jobs default to.</summary>
    public double CfgScale { get; init; } = 1.0;

    /// <summary>True when the JSON file at <paramref name="path"/> says <c>"kind": "t2i"</c>.</summary>
    public static bool IsT2I(string path)
    {
        if (!File.Exists(path)) return false;
        var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        });
        return node is JsonObject o && o["kind"]?.GetValueKind() == JsonValueKind.String && o["kind"]!.GetValue<string>() == KindName;
    }

    /// <summary>Reads and validates a recipe file; every error names the file and the field.</summary>
    public static T2IRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"recipe not found: {path}", path);
        T2IRecipe? recipe;
        try { recipe = JsonSerializer.Deserialize<T2IRecipe>(File.ReadAllText(path), TrainingRecipe.JsonOptions); }
        catch (JsonException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
        if (recipe is null) throw new ArgumentException($"{path}: empty recipe");
        try { return recipe.Validated(); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
    }

    /// <summary>Checks every section; throws naming the first bad field.</summary>
    public T2IRecipe Validated()
    {
        if (Kind != KindName) throw new ArgumentException($"kind must be '{KindName}', got '{Kind}'");
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name must be a folder name, got '{Name}'");
        if (Threads is < 1) throw new ArgumentException($"threads must be >= 1, got {Threads}");
        if (TrainLimit is < 2) throw new ArgumentException($"train_limit must be >= 2, got {TrainLimit}");
        if (string.IsNullOrWhiteSpace(BaseBundle)) throw new ArgumentException("base_bundle must name a bundle folder");
        Llm.Validate();
        try { DiTConfig(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or JsonException)
        { throw new ArgumentException($"diff_head: {e.Message}", e); }
        Training.Validate();
        if (SampleSteps < 1) throw new ArgumentException($"sample_steps must be >= 1, got {SampleSteps}");
        if (!(CfgScale >= 1)) throw new ArgumentException($"cfg_scale must be >= 1, got {CfgScale}");
        return this;
    }

    /// <summary>
    /// What a resumable checkpoint must have been trained from (stored in it, so a rerun never continues a checkpoint of
    /// another recipe): seed, base bundle, data limit, LLM, head and training, i.e. every field except the name,
    /// description and threads, the bundle's sampling defaults (<c>sample_steps</c>, <c>cfg_scale</c>), the dtype of
    /// the shipped copy (<c>store_float16</c>) and <c>training.checkpoint_interval</c>.
    /// </summary>
    public TrainingFingerprint Fingerprint() =>
        TrainingFingerprint.Of(this)
            .Without("kind", "name", "description", "threads", "sample_steps", "cfg_scale", "store_float16", "training.checkpoint_interval");

    /// <summary>The head's configuration parsed from <see cref="DiffHead"/>.</summary>
    public ScaleRaeDiTConfig DiTConfig() => ScaleRaeDiTConfig.FromJson(JsonDocument.Parse(DiffHead.ToJsonString()).RootElement);
}
