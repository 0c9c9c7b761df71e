using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using static TorchSharp.torch;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Runs a <see cref="T2IRecipe"/> end to end: encodes the training images with the base bundle's frozen encoder,
/// writes the tokenizer (a BPE of the templates and seen captions) and the HF config, trains jointly
/// (<see cref="T2ITraining"/>, resumable from the work folder) and writes the bundle (<see cref="T2IBundleWriter"/>).
/// </summary>
public static class T2IRecipeRunner
{
    /// <summary>Runs the recipe; returns the bundle path and the training result.</summary>
    public static (string BundlePath, T2ITrainingResult Result) Run(T2IRecipe recipe, string dataDir, string outDir, string workDir,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken ct = default)
    {
        recipe.Validated();
        if (recipe.Threads is { } threads) set_num_threads(threads);
        log ??= _ => { };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var baseBundle = RaeBundle.Load(Path.Combine(recipe.BaseBundle, "bundle.json"));
        var dit = recipe.DiTConfig();
        if (baseBundle.Misc.LatentSize is { Length: 3 } latent && (latent[0] != dit.InChannels || latent[1] != dit.InputSize))
            throw new ArgumentException($"diff_head: in_channels {dit.InChannels} and input_size {dit.InputSize} must match the base latent [{string.Join(", ", latent)}]");
        var train = DatasetSplits.Load(dataDir, baseBundle.Stage1.Params.EncoderInputSize, recipe.TrainLimit).Train;
        using var data = T2IData.Encode(train, recipe.BaseBundle, Path.Combine(workDir, "t2i", "latents.safetensors"), recipe.Seed);
        log($"training data: {data.Count} latents [{string.Join(", ", data.Latents.shape.Skip(1))}] from {recipe.BaseBundle}");

        var folder = Path.Combine(outDir, T2IBundleWriter.TokenizerFolder);
        var (vocabSize, specials) = ByteLevelBpeWriter.Write(folder, TokenizerTexts());
        var tokenizer = Qwen2Tokenizer.Load(ByteLevelBpeWriter.Files.Select(f => Path.Combine(folder, f)).ToArray());
        var l = recipe.Llm;
        var config = ScaleRaeHfConfig.Create(vocabSize, specials, l.HiddenSize, l.IntermediateSize, l.NumHiddenLayers,
            l.NumAttentionHeads, l.NumKeyValueHeads, l.TieWordEmbeddings, recipe.DiffHead);
        var configPath = Path.Combine(outDir, T2IBundleWriter.ConfigFile);
        File.WriteAllText(configPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var llm = Qwen2Config.FromJson(ConfigReader.ReadFile(configPath), configPath, ScaleRaeT2IModel.ModelTypes);
        log($"tokenizer: {vocabSize} ids; LLM {l.HiddenSize}w×{l.NumHiddenLayers}L, head {dit.HiddenSize}w×{dit.Depth}L");

        var result = T2ITraining.Run(recipe, data, tokenizer, llm, Path.Combine(outDir, T2IBundleWriter.WeightsFile), workDir, progress, log, ct);
        var bundlePath = T2IBundleWriter.Write(recipe, baseBundle, outDir);
        var rel = Path.GetRelativePath(Path.GetFullPath(outDir), Path.GetFullPath(recipe.BaseBundle)).Replace('\\', '/');
        T2IBundleWriter.WriteReadme(recipe, outDir, rel, result, clock.Elapsed.TotalSeconds, data.Count);
        log($"bundle: {bundlePath} ({clock.Elapsed.TotalMinutes:F1} min)");
        return (bundlePath, result);
    }

    /// <summary>
    /// What the tokenizer makes single tokens: the template texts, the Answer-Logits and Prompt-Confidence questions,
    /// the yes/no answers, and every seen caption (held-out wordings are left out on purpose).
    /// </summary>
    public static IEnumerable<string> TokenizerTexts()
    {
        var texts = new List<string>
        {
            "system\n" + ScaleRaePrompts.System, "user\n", "assistant\n", ScaleRaePrompts.GeneratePrefix,
            AnswerLogitsVerifier.Question("x"), PromptConfidenceVerifier.Question, "Yes", "No", "yes", "no", " Yes", " No",
        };
        for (var c = 0; c < FashionCaptions.Classes; c++) texts.AddRange(FashionCaptions.All(c, CaptionSplit.Seen));
        return texts;
    }
}
