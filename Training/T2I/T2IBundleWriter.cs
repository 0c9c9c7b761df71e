using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Verifiers;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Writes the <c>bundle.json</c> and README of a trained T2I bundle: stage 1 is the base bundle's frozen RAE, referenced
/// by relative path (nothing copied), the <c>t2i</c> section points at the EMA checkpoint, HF config and tokenizer the
/// run wrote under <c>t2i/</c>, and the verifiers are Answer Logits, Prompt Confidence and the base bundle's class probe.
/// </summary>
public static class T2IBundleWriter
{
    /// <summary>Files of the <c>t2i/</c> folder, relative to the bundle.</summary>
    public const string ConfigFile = "t2i/config.json", WeightsFile = "t2i/model.safetensors", TokenizerFolder = "t2i";

    /// <summary>Writes and validates <c>&lt;outDir&gt;/bundle.json</c>; returns its path.</summary>
    public static string Write(T2IRecipe recipe, RaeBundle baseBundle, string outDir)
    {
        var rel = Path.GetRelativePath(Path.GetFullPath(outDir), Path.GetFullPath(baseBundle.BaseDir)).Replace('\\', '/');
        string Up(string path) => $"{rel}/{path}";
        var p = baseBundle.Stage1.Params;
        var probe = baseBundle.Verifiers?.FirstOrDefault(v => v.Type == "class-probe");
        var verifiers = new List<VerifierSection>
        {
            new()
            {
                Name = "answer-logits", Type = AnswerLogitsVerifier.TypeName, MaxNewTokens = 4,
                Description = "Scale-RAE Answer Logits: the trained LLM reads the latent and answers \"Does this image align with the prompt: …?\" (trained on Yes/No pairs; max_new_tokens 4: the answer is one token and <|im_end|>).",
            },
            new()
            {
                Name = "prompt-confidence", Type = PromptConfidenceVerifier.TypeName,
                Description = "Scale-RAE Prompt Confidence on the trained LLM (never trained for it directly).",
            },
        };
        if (probe is not null)
            verifiers.Add(probe with { Weights = Up(probe.Weights), Description = $"The base bundle's probe ({rel}): {probe.Description}" });
        var bundle = new RaeBundle
        {
            Name = recipe.Name,
            Description = recipe.Description,
            RandomWeights = false,
            Stage1 = baseBundle.Stage1 with
            {
                Params = p with
                {
                    EncoderConfigPath = Up(p.EncoderConfigPath), EncoderWeightsPath = Up(p.EncoderWeightsPath),
                    DecoderConfigPath = Up(p.DecoderConfigPath), PretrainedDecoderPath = Up(p.PretrainedDecoderPath),
                    NormalizationStatPath = p.NormalizationStatPath is null ? null : Up(p.NormalizationStatPath),
                },
            },
            Stage2 = null,
            Misc = baseBundle.Misc,
            Verifiers = verifiers.ToArray(),
            T2I = new T2ISection
            {
                Llm = new T2ILlmSection { Config = ConfigFile, Weights = WeightsFile },
                DiffHead = (System.Text.Json.Nodes.JsonObject)recipe.DiffHead.DeepClone(),
                Tokenizer = ByteLevelBpeWriter.Files.Select(f => $"{TokenizerFolder}/{f}").ToArray(),
                Sampler = new T2ISamplerSection { NumSteps = recipe.SampleSteps, CfgScale = recipe.CfgScale },
            },
        };
        var path = Path.Combine(outDir, "bundle.json");
        bundle.Save(path);
        RaeBundle.Load(path); // validates what was written
        return path;
    }

    /// <summary>The bundle's README: what it is, how it was trained and in what time, what the toy can say, licences.</summary>
    public static void WriteReadme(T2IRecipe recipe, string outDir, string baseRel, T2ITrainingResult result, double seconds, int images)
    {
        var tr = recipe.Training;
        var lm = result.LmLosses.Count > 0 ? $"{result.LmLosses.TakeLast(50).Average():F3}" : "n/a";
        var diff = result.DiffusionLosses.Count > 0 ? $"{result.DiffusionLosses.TakeLast(50).Average():F3}" : "n/a";
        string[] lines =
        [
            $"# {recipe.Name}", "", recipe.Description, "",
            "Reproduce (resumable: kill it and rerun, it continues from the last checkpoint):", "", "```bash",
            $"dotnet run -c Release --project Cli -- train --recipe recipes/{recipe.Name}.json", "```", "",
            $"- Stage 1: the frozen RAE of `{baseRel}` (encoder, latent statistics, decoder), referenced by path, not copied.",
            $"- LLM: Qwen2 {recipe.Llm.HiddenSize} wide, {recipe.Llm.NumHiddenLayers} layers, {recipe.Llm.NumAttentionHeads} heads / {recipe.Llm.NumKeyValueHeads} kv heads, tied lm_head: {(recipe.Llm.TieWordEmbeddings ? "yes" : "no")}; latent queries, mlp2x_gelu projector, per-token LightningDiT head, all in the official keys.",
            "- Tokenizer: a byte-level BPE in Qwen2's file format whose merges make every word of the official templates and the seen training captions one token (no pretrained tokenizer exists offline here, and the served GPT-2 BPE would give a 50k-row embedding that dwarfs this model). Held-out caption words are never merged whole: they encode as sub-word pieces.",
            $"- Joint training as Scale-RAE: LM loss (Yes/No answers to \"Does this image align with the prompt: …?\" on {images} real latents, half matching captions, half captions of another class; and the <im_start> after each generation prompt) + vision_coef {tr.VisionCoef} × flow-matching loss of the head, condition dropout {recipe.DiTConfig().ClassDropoutProb} to the learned null; {tr.Steps} steps, {tr.GenerationBatch} generation + {tr.UnderstandingBatch} understanding pairs per step, AdamW lr {tr.Optimizer.Lr:G3}, EMA {tr.EmaDecay} (shipped).",
            $"- Time: {seconds / 60:F1} min for the last `train` invocation on this repository's 2-core CPU machine; mean of the last 50 steps: LM loss {lm}, diffusion loss {diff}.",
            $"- Samples: {recipe.SampleSteps} Euler steps, CFG {recipe.CfgScale.ToString(System.Globalization.CultureInfo.InvariantCulture)} by default (`t2i.sampler`, from the recipe's `sample_steps` and `cfg_scale`).",
            "",
            "What the toy can say: the Scale-RAE recipe (queries → projector → per-token diffusion head in an RAE latent space, and the LLM verifiers on latents) runs end to end and learns to follow the ten class prompts. What it cannot: anything about scale, open-vocabulary prompts, composition or image quality beyond 28×28 Fashion-MNIST.",
            "",
            "Licences: trained on Fashion-MNIST (Zalando SE, MIT licence; Xiao, Rasul, Vollgraf 2017); the images are not redistributed, only weights trained on them. The weights are produced by this repository's code and released under its licence.",
        ];
        File.WriteAllLines(Path.Combine(outDir, "README.md"), lines);
    }
}
