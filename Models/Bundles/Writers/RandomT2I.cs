using System.Text.Json.Nodes;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// The <c>t2i</c> part of a random bundle: a tiny Scale-RAE T2I checkpoint (Qwen2 LLM, latent queries, mm_projector,
/// diff_head_projector, per-token LightningDiT) under the official keys with its HF config, and a byte-level BPE
/// tokenizer in Qwen2's file format whose merges make every word of the templates, the yes/no answers and a few dozen
/// common prompt words one token. Drawn from the bundle's generator, so the bundle is reproducible bit for bit.
/// </summary>
internal static class RandomT2I
{
    // LLM and diffusion-head sizes of the tiny bundle.
    const int Hidden = 32, Layers = 2, Heads = 4, KvHeads = 2, Intermediate = 64, DiTHidden = 64, DiTDepth = 2, DiTHeads = 2;

    /// <summary>What the LLM is.</summary>
    public const string DescribeLlm = "Qwen2 LLM 32w×2L (4 heads, 2 kv heads, tied lm_head)";

    /// <summary>One line saying what the T2I model is.</summary>
    public const string Describe = DescribeLlm + ", 256 latent queries, DiT head 64w×2L, z 32";

    /// <summary>Common words of short prompts (each becomes one token, with and without a leading space).</summary>
    static readonly string[] PromptWords =
    [
        "a", "an", "the", "of", "on", "in", "with", "and", "at", "by", "photo", "painting", "picture", "drawing", "cat", "dog",
        "horse", "giraffe", "zebra", "bird", "cake", "car", "boat", "house", "tree", "flower", "mountain", "lake", "river",
        "beach", "city", "street", "forest", "field", "sky", "sunset", "night", "snow", "man", "woman", "child", "table",
        "red", "blue", "green", "yellow", "white", "black", "small", "big", "old", "sitting", "standing", "running",
    ];

    /// <summary>The two LLM verifiers of the bundle (answer-logits first: the default).</summary>
    public static VerifierSection[] Verifiers =>
    [
        new()
        {
            Name = "answer-logits", Type = AnswerLogitsVerifier.TypeName, MaxNewTokens = 4,
            Description = "Scale-RAE Answer Logits on the random t2i LLM (max_new_tokens 4 to stay fast); scores are meaningless.",
        },
        new()
        {
            Name = "prompt-confidence", Type = PromptConfidenceVerifier.TypeName,
            Description = "Scale-RAE Prompt Confidence on the random t2i LLM; scores are meaningless.",
        },
    ];

    /// <summary>
    /// Writes t2i/{config.json, model.safetensors, vocab.json, merges.txt, tokenizer_config.json} for latents
    /// [<paramref name="latentChannels"/>, <paramref name="latentSize"/>, <paramref name="latentSize"/>] (one latent query
    /// per latent token); returns the section.
    /// </summary>
    public static T2ISection Write(string dir, int latentChannels, Generator gen, int latentSize = 16)
    {
        var folder = Path.Combine(dir, "t2i");
        var (vocabSize, specialIds) = ByteLevelBpeWriter.Write(folder, TokenizerTexts());

        var diffHead = new JsonObject
        {
            ["input_size"] = latentSize, ["patch_size"] = 1, ["in_channels"] = latentChannels, ["hidden_size"] = DiTHidden,
            ["depth"] = DiTDepth, ["num_heads"] = DiTHeads, ["mlp_ratio"] = 4, ["z_channels"] = Hidden,
            ["class_dropout_prob"] = 0.1, ["cond_silu"] = true,
        };
        var config = ScaleRaeHfConfig.Create(vocabSize, specialIds, Hidden, Intermediate, Layers, Heads, KvHeads, tieWordEmbeddings: true, diffHead);
        var configPath = Path.Combine(folder, "config.json");
        RandomBundle.WriteJson(configPath, config);

        var qwen = Qwen2Config.FromJson(Checkpoints.ConfigReader.ReadFile(configPath), configPath, ScaleRaeT2IModel.ModelTypes);
        var dit = ScaleRaeDiTConfig.FromJson(System.Text.Json.JsonDocument.Parse(diffHead.ToJsonString()).RootElement);
        using (var scope = NewDisposeScope())
        using (var model = new ScaleRaeT2IModel(qwen, dit, latentChannels))
            RandomBundle.Save(Path.Combine(folder, "model.safetensors"), RandomBundle.Randomized(model, gen));

        return new T2ISection
        {
            Llm = new T2ILlmSection { Config = "t2i/config.json", Weights = "t2i/model.safetensors" },
            DiffHead = diffHead,
            Tokenizer = ["t2i/vocab.json", "t2i/merges.txt", "t2i/tokenizer_config.json"],
        };
    }

    /// <summary>The texts whose pieces become single tokens: the templates, the yes/no answers and the prompt words.</summary>
    static List<string> TokenizerTexts()
    {
        var texts = new List<string>
        {
            "system\n" + ScaleRaePrompts.System, "user\n", "assistant\n", ScaleRaePrompts.GeneratePrefix,
            AnswerLogitsVerifier.Question("x"), PromptConfidenceVerifier.Question,
        };
        texts.AddRange(Models.Verifiers.LlmVerifierLoader.YesVariants.Concat(Models.Verifiers.LlmVerifierLoader.NoVariants));
        texts.AddRange(PromptWords.Select(w => $"{w} {w}"));
        return texts;
    }
}
