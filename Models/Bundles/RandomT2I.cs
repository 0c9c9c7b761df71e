using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles;

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

    /// <summary>One line saying what the T2I model is.</summary>
    public const string Describe = "Qwen2 LLM 32w×2L (4 heads, 2 kv heads, tied lm_head), 256 latent queries, DiT head 64w×2L, z 32";

    /// <summary>Common words of short prompts (each becomes one token, with and without a leading space).</summary>
    static readonly string[] PromptWords =
    [
        "a", "an", "the", "of", "on", "in", "with", "and", "at", "by", "photo", "painting", "picture", "drawing", "cat", "dog",
        "horse", "giraffe", "zebra", "bird", "cake", "car", "boat", "house", "tree", "flower", "mountain", "lake", "river",
        "beach", "city", "street", "forest", "field", "sky", "sunset", "night", "snow", "man", "woman", "child", "table",
        "red", "blue", "green", "yellow", "white", "black", "small", "big", "old", "sitting", "standing", "running",
    ];

    static readonly string[] Specials =
        [Qwen2Tokenizer.EndOfText, Qwen2Tokenizer.ImStart, Qwen2Tokenizer.ImEnd, ScaleRaePrompts.ImageStart, ScaleRaePrompts.ImageEnd];

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
        var (vocab, merges) = Vocabulary();
        var specialIds = Specials.Select((s, i) => (s, Id: vocab.Count + i)).ToList();
        var vocabSize = vocab.Count + Specials.Length;

        var vocabJson = new JsonObject();
        foreach (var (token, id) in vocab.OrderBy(kv => kv.Value)) vocabJson[token] = id;
        RandomBundle.WriteJson(Path.Combine(folder, "vocab.json"), vocabJson);
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n" + string.Concat(merges.Select(m => m + "\n")));
        var added = new JsonObject();
        foreach (var (s, id) in specialIds)
            added[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = s, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        RandomBundle.WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "Qwen2Tokenizer", ["added_tokens_decoder"] = added, ["eos_token"] = Qwen2Tokenizer.ImEnd,
            ["pad_token"] = Qwen2Tokenizer.EndOfText, ["bos_token"] = null, ["model_max_length"] = 512, ["padding_side"] = "right",
        });

        var diffHead = new JsonObject
        {
            ["input_size"] = latentSize, ["patch_size"] = 1, ["in_channels"] = latentChannels, ["hidden_size"] = DiTHidden,
            ["depth"] = DiTDepth, ["num_heads"] = DiTHeads, ["mlp_ratio"] = 4, ["z_channels"] = Hidden,
            ["class_dropout_prob"] = 0.1, ["cond_silu"] = true,
        };
        int Special(string s) => specialIds.First(x => x.s == s).Id;
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("ScaleRAEQwenForCausalLM"), ["model_type"] = ScaleRaeUnderstanding.ModelType,
            ["vocab_size"] = vocabSize, ["hidden_size"] = Hidden, ["intermediate_size"] = Intermediate,
            ["num_hidden_layers"] = Layers, ["num_attention_heads"] = Heads, ["num_key_value_heads"] = KvHeads,
            ["hidden_act"] = "silu", ["max_position_embeddings"] = 32768, ["rms_norm_eps"] = 1e-6, ["rope_theta"] = 1000000.0,
            ["rope_scaling"] = null, ["tie_word_embeddings"] = true, ["use_sliding_window"] = false, ["sliding_window"] = 32768,
            ["attention_dropout"] = 0.0, ["torch_dtype"] = "float32",
            ["bos_token_id"] = Special(Qwen2Tokenizer.EndOfText), ["eos_token_id"] = Special(Qwen2Tokenizer.ImEnd),
            ["pad_token_id"] = Special(Qwen2Tokenizer.EndOfText),
            ["vision_loss"] = "diffusion-loss", ["vision_loss_mode"] = "query", ["vision_tower_aux_token_len_list"] = new JsonArray(latentSize * latentSize),
            ["mm_projector_type"] = MmProjector.Type, ["mm_hidden_size"] = latentChannels, ["mm_use_im_start_end"] = true,
            ["mm_use_im_patch_token"] = false, ["tokenizer_padding_side"] = "right", ["tokenizer_model_max_length"] = 512,
            ["diffusion_model_channels"] = latentChannels, ["diffusion_model_z_channels"] = Hidden,
            ["diffusion_model_hidden_size"] = DiTHidden, ["diffusion_model_depth"] = DiTDepth, ["diffusion_model_heads"] = DiTHeads,
            ["diffusion_class_dropout_prob"] = 0.1, ["dit_cls"] = "DiT",
        };
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

    /// <summary>
    /// A byte-level BPE vocabulary: the 256 byte symbols (GPT-2's byte-to-unicode map), then, for every pre-tokenized
    /// piece of the texts, merges appended until BPE turns the piece into one token. A merge added last has the lowest
    /// priority, so it only applies once no earlier merge does: earlier pieces keep their single token.
    /// </summary>
    static (Dictionary<string, int> Vocab, List<string> Merges) Vocabulary()
    {
        var unicode = ByteToUnicode();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++) vocab[unicode[b].ToString()] = b;
        var merges = new List<string>();
        var ranks = new Dictionary<(string, string), int>();
        var texts = new List<string>
        {
            "system\n" + ScaleRaePrompts.System, "user\n", "assistant\n", ScaleRaePrompts.GeneratePrefix,
            AnswerLogitsVerifier.Question("x"), PromptConfidenceVerifier.Question,
        };
        texts.AddRange(Models.Verifiers.LlmVerifierLoader.YesVariants.Concat(Models.Verifiers.LlmVerifierLoader.NoVariants));
        texts.AddRange(PromptWords.Select(w => $"{w} {w}"));
        var split = new Regex(Qwen2Tokenizer.Pattern);
        foreach (var piece in texts.SelectMany(t => split.Matches(t).Select(m => m.Value)))
        {
            var symbols = Encoding.UTF8.GetBytes(piece).Select(b => unicode[b].ToString()).ToList();
            while (Bpe(symbols, ranks) is { Count: > 1 } parts)
            {
                ranks[(parts[0], parts[1])] = merges.Count;
                merges.Add($"{parts[0]} {parts[1]}");
                vocab.TryAdd(parts[0] + parts[1], vocab.Count);
            }
        }
        return (vocab, merges);
    }

    /// <summary>Plain BPE: repeatedly merge the adjacent pair of lowest rank.</summary>
    static List<string> Bpe(List<string> symbols, Dictionary<(string, string), int> ranks)
    {
        var s = symbols.ToList();
        while (true)
        {
            var (best, bestRank) = (-1, int.MaxValue);
            for (var i = 0; i + 1 < s.Count; i++)
                if (ranks.TryGetValue((s[i], s[i + 1]), out var r) && r < bestRank) (best, bestRank) = (i, r);
            if (best < 0) return s;
            s[best] += s[best + 1];
            s.RemoveAt(best + 1);
        }
    }

    /// <summary>GPT-2's (and Qwen2's) reversible map from bytes to printable characters.</summary>
    static char[] ByteToUnicode()
    {
        var map = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }
}
