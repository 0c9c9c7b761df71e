using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// The SigLIP-2 parts of a random bundle: the vision tower as the RAE encoder, and the <c>siglip2-text</c> verifier
/// (that tower's <c>post_layernorm</c> and pooling head, a random text tower, logit scale/bias and a small BPE
/// tokenizer covering the class prompts). Drawn from the bundle's generator, so the bundle is reproducible bit for bit.
/// </summary>
internal static class RandomSiglip2
{
    /// <summary>Class names of a small random bundle (CIFAR-10's, so the prompts read naturally); "class N" beyond ten.</summary>
    static readonly string[] Cifar10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Text length of the random text tower (max_position_embeddings): the class prompts fit in it.</summary>
    const int TextLength = 16;

    /// <summary>HF SigLIP's initial logit scale and bias: scale ln 10 (exp = 10), bias −10.</summary>
    const double LogitScale = 2.302585092994046, LogitBias = -10.0;

    /// <summary>The tokenizer's special tokens in SigLIP-2 (Gemma) numbering: pad 0, eos 1; then unknown.</summary>
    static readonly string[] Specials = ["<pad>", "<eos>", "<unk>"];

    /// <summary>Single characters every prompt may use; anything else becomes &lt;unk&gt;.</summary>
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.,'-";

    public static string[] ClassNames(int numClasses) =>
        Enumerable.Range(0, numClasses).Select(i => i < Cifar10.Length ? Cifar10[i] : $"class {i}").ToArray();

    static JsonObject VisionConfig(RandomBundleShape s) => new()
    {
        ["model_type"] = "siglip_vision_model", ["hidden_size"] = s.Width, ["intermediate_size"] = 4 * s.Width,
        ["num_hidden_layers"] = s.EncoderLayers, ["num_attention_heads"] = s.EncoderHeads, ["num_channels"] = 3,
        ["image_size"] = 224, ["patch_size"] = 14, ["hidden_act"] = "gelu_pytorch_tanh", ["layer_norm_eps"] = 1e-6,
        ["vision_use_head"] = true,
    };

    /// <summary>Writes encoder/config.json and encoder/model.safetensors; returns the weights (bare HF keys).</summary>
    public static Dictionary<string, Tensor> WriteEncoder(string dir, RandomBundleShape s, Generator gen)
    {
        var configPath = Path.Combine(dir, "encoder", "config.json");
        RandomBundle.WriteJson(configPath, VisionConfig(s));
        using var tower = new SiglipVisionTransformer(SiglipVisionConfig.FromFile(configPath));
        var weights = RandomBundle.Randomized(tower, gen);
        RandomBundle.Save(Path.Combine(dir, "encoder", "model.safetensors"), weights);
        return weights;
    }

    /// <summary>
    /// Writes verifier/{config.json, model.safetensors, vocab.json, merges.txt} and returns the bundle's verifier entry.
    /// The vision tail is the encoder's own <c>post_layernorm</c> and head, so the verifier reads the same tower.
    /// </summary>
    public static VerifierSection WriteVerifier(string dir, RandomBundleShape s, Generator gen,
        IReadOnlyDictionary<string, Tensor> encoderWeights, string[] classNames)
    {
        var folder = Path.Combine(dir, "verifier");
        var (vocab, merges) = Vocabulary(classNames);
        var textJson = new JsonObject
        {
            ["model_type"] = "siglip_text_model", ["vocab_size"] = vocab.Count, ["hidden_size"] = s.Width,
            ["intermediate_size"] = 4 * s.Width, ["num_hidden_layers"] = s.EncoderLayers,
            ["num_attention_heads"] = s.EncoderHeads, ["max_position_embeddings"] = TextLength,
            ["hidden_act"] = "gelu_pytorch_tanh", ["layer_norm_eps"] = 1e-6, ["projection_size"] = s.Width,
            ["pad_token_id"] = 0, ["eos_token_id"] = 1,
        };
        var configPath = Path.Combine(folder, "config.json");
        RandomBundle.WriteJson(configPath, new JsonObject
        {
            ["model_type"] = "siglip", ["vision_config"] = VisionConfig(s), ["text_config"] = textJson,
        });
        var vocabJson = new JsonObject();
        foreach (var (token, id) in vocab.OrderBy(kv => kv.Value)) vocabJson[token] = id;
        RandomBundle.WriteJson(Path.Combine(folder, "vocab.json"), vocabJson);
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n" + string.Concat(merges.Select(m => m + "\n")));

        using var text = new SiglipTextTransformer(SiglipTextConfig.FromFile(configPath));
        var weights = RandomBundle.Randomized(text, gen).ToDictionary(kv => "text_model." + kv.Key, kv => kv.Value);
        foreach (var (key, t) in encoderWeights)
            if (key.StartsWith("post_layernorm.", StringComparison.Ordinal) || key.StartsWith("head.", StringComparison.Ordinal))
                weights["vision_model." + key] = t.clone();
        weights["logit_scale"] = tensor(new[] { (float)LogitScale });
        weights["logit_bias"] = tensor(new[] { (float)LogitBias });
        RandomBundle.Save(Path.Combine(folder, "model.safetensors"), weights);

        return new VerifierSection
        {
            Name = "siglip2", Type = SiglipTextLatentVerifier.TypeName, Weights = "verifier/model.safetensors",
            Config = "verifier/config.json", Tokenizer = ["verifier/vocab.json", "verifier/merges.txt"],
            Description = "SigLIP-2 text-latent alignment with random weights: the encoder's post_layernorm and pooling " +
                          "head against a random text tower; a BPE vocabulary built from the class prompts.",
        };
    }

    /// <summary>
    /// A BPE vocabulary: the specials, the single characters, and for every word of the class prompts the merges that
    /// build it left to right (so each such word is one token); merges in the order they were first needed.
    /// </summary>
    static (Dictionary<string, int> Vocab, List<string> Merges) Vocabulary(string[] classNames)
    {
        var vocab = new Dictionary<string, int>();
        foreach (var t in Specials.Concat(Alphabet.Select(c => c.ToString()))) vocab.TryAdd(t, vocab.Count);
        var merges = new List<string>();
        var prompts = classNames.Select(n => string.Format(SiglipTextLatentVerifier.ClassPromptTemplate, n).ToLowerInvariant());
        foreach (var word in prompts.SelectMany(p => Regex.Matches(p, @"\w+").Select(m => m.Value)))
        {
            var current = word[..1];
            foreach (var c in word[1..])
            {
                var merged = current + c;
                if (vocab.TryAdd(merged, vocab.Count)) merges.Add($"{current} {c}");
                current = merged;
            }
        }
        return (vocab, merges);
    }
}
