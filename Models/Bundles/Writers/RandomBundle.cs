using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Encoders.Dinov2;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// Writes a randomly initialised but complete RAE bundle (DINOv2-with-registers encoder, ViT decoder, DiT^DH and a
/// weaker DiT^DH for AutoGuidance) with the official architectures, config formats and key names. It lets the whole
/// path run offline before trained weights exist; <c>random_weights</c> is set so every output says so.
/// The weights are re-drawn (not the official zero inits) so the models compute something non-trivial: weights
/// N(0, 1/fan_in) (adaLN half that), biases N(0, 0.05²), norm weights 1 + N(0, 0.1²), tokens N(0, 0.5²);
/// the fixed sin-cos and RoPE tables keep their built values. Deterministic for a given seed and shape.
/// </summary>
public static class RandomBundle
{
    /// <summary>Creates the tiny bundle in <paramref name="dir"/> and returns the bundle file's path.</summary>
    public static string Create(string dir, long seed = 0, int numClasses = 10) =>
        Create(dir, RandomBundleShape.Tiny with { NumClasses = numClasses }, seed, "tiny-random");

    /// <summary>Encoders a random bundle can have: DINOv2 with registers (the default), or SigLIP-2 (with its text tower as a verifier).</summary>
    public static readonly string[] Encoders = ["dinov2", "siglip2"];

    /// <summary>The tiny bundle with a SigLIP-2 encoder (the repository's <c>bundles/tiny-siglip2</c> for seed 0).</summary>
    public static string CreateSiglip2(string dir, long seed = 0, int numClasses = 10) =>
        Create(dir, RandomBundleShape.Tiny with { NumClasses = numClasses }, seed, "tiny-siglip2-random", "siglip2");

    /// <summary>
    /// Creates a bundle of the given <paramref name="shape"/> and <paramref name="encoder"/> (one of <see cref="Encoders"/>)
    /// in <paramref name="dir"/>; returns the bundle file's path.
    /// </summary>
    public static string Create(string dir, RandomBundleShape shape, long seed, string name, string encoder = "dinov2")
    {
        if (!Encoders.Contains(encoder)) throw new ArgumentException($"encoder: '{encoder}' is not one of {string.Join(", ", Encoders)}", nameof(encoder));
        Directory.CreateDirectory(dir);
        var gen = new Generator((ulong)seed);
        var s = shape;
        var siglip = encoder == "siglip2";
        var encoderWeights = WriteStage1(dir, s, gen, siglip);

        JsonObject DiTParams(int backbone, int depth, int heads, int head, int headHeads) => new()
        {
            ["input_size"] = 16, ["patch_size"] = 1, ["in_channels"] = s.Width,
            ["hidden_size"] = new JsonArray(backbone, head), ["depth"] = new JsonArray(depth, 1),
            ["num_heads"] = new JsonArray(heads, headHeads), ["mlp_ratio"] = 4.0, ["class_dropout_prob"] = 0.1,
            ["num_classes"] = s.NumClasses, ["use_qknorm"] = false, ["use_swiglu"] = true, ["use_rope"] = true,
            ["use_rmsnorm"] = true, ["wo_shift"] = false, ["use_pos_embed"] = true,
        };
        var main = DiTParams(s.Width, s.DiTDepth, s.DiTHeads, s.HeadWidth, s.HeadHeads);
        var weak = DiTParams(s.WeakWidth, s.WeakDepth, s.WeakHeads, s.WeakHeadWidth, s.WeakHeadHeads);
        foreach (var (folder, p) in new[] { ("dit", main), ("dit_weak", weak) })
        {
            using var model = new DiTDH(DiTDHConfig.FromJson(JsonDocument.Parse(p.ToJsonString()).RootElement));
            SaveRandomized(model, Path.Combine(dir, folder, "model.safetensors"), gen);
        }

        var classNames = siglip ? RandomSiglip2.ClassNames(s.NumClasses) : null;
        var verifiers = siglip ? new[] { RandomSiglip2.WriteVerifier(dir, s, gen, encoderWeights!, classNames!) } : null;
        var made = name switch
        {
            "tiny-random" => $"Made by `rae-grid bundle random --seed {seed}`.",
            "tiny-siglip2-random" => $"Made by `rae-grid bundle random --encoder siglip2 --out bundles/tiny-siglip2 --seed {seed}`.",
            _ => "",
        };
        var bundle = new RaeBundle
        {
            Name = name,
            Description = $"Randomly initialised RAE with the official key names ({s.Describe(siglip ? "SigLIP-2" : "DINOv2-reg")}). Outputs are noise-like. " + made,
            Verifiers = verifiers,
            RandomWeights = true,
            Stage1 = Stage1(siglip),
            Stage2 = new ModelSection { Target = "DiTwDDTHead", Params = main, Ckpt = "dit/model.safetensors" },
            Guidance = new GuidanceSection
            {
                Method = "autoguidance", Scale = 1.42,
                GuidanceModel = new ModelSection { Target = "DiTwDDTHead", Params = weak, Ckpt = "dit_weak/model.safetensors" },
            },
            Misc = new MiscSection { LatentSize = [s.Width, 16, 16], NumClasses = s.NumClasses, ClassNames = classNames },
        };
        var path = Path.Combine(dir, "bundle.json");
        bundle.Save(path);
        return path;
    }

    /// <summary>The <c>stage_1</c> block of a random bundle (paths as <see cref="WriteStage1"/> writes them).</summary>
    static Stage1Section Stage1(bool siglip) => new()
    {
        Params = new Stage1Params
        {
            EncoderCls = siglip ? "SigLIP2wNorm" : "Dinov2withNorm", EncoderConfigPath = "encoder/config.json",
            EncoderWeightsPath = "encoder/model.safetensors", EncoderInputSize = 224, InputImageSize = 256,
            DecoderConfigPath = "decoder/config.json", PretrainedDecoderPath = "decoder/model.safetensors",
        },
    };

    /// <summary>
    /// The tiny text-to-image bundle (the repository's <c>bundles/tiny-t2i</c> for seed 0): the SigLIP-2 RAE of
    /// <see cref="CreateSiglip2"/> (latent 32×16×16) and a random Scale-RAE T2I model (<see cref="RandomT2I"/>) with its
    /// two LLM verifiers; no class-conditional <c>stage_2</c>. Returns the bundle file's path.
    /// </summary>
    public static string CreateT2I(string dir, long seed = 0)
    {
        Directory.CreateDirectory(dir);
        var gen = new Generator((ulong)seed);
        var s = RandomBundleShape.Tiny;
        WriteStage1(dir, s, gen, siglip: true);
        var t2i = RandomT2I.Write(dir, s.Width, gen);
        var bundle = new RaeBundle
        {
            Name = "tiny-t2i-random",
            Description = $"Randomly initialised Scale-RAE text-to-image bundle with the official key names ({s.Describe("SigLIP-2").Split(", DiT")[0]}; " +
                          $"{RandomT2I.Describe}). The weights are random: latents and images are noise, verifier scores are meaningless. " +
                          $"Made by `rae-grid bundle random --t2i --out bundles/tiny-t2i --seed {seed}`.",
            RandomWeights = true,
            Stage1 = Stage1(siglip: true),
            T2I = t2i,
            Verifiers = RandomT2I.Verifiers,
        };
        var path = Path.Combine(dir, "bundle.json");
        bundle.Save(path);
        return path;
    }

    /// <summary>
    /// A random Scale-RAE text-to-image model on a trained bundle's frozen RAE: copies <paramref name="stage1Bundle"/>'s
    /// <c>stage_1</c> files and class-probe verifiers into <paramref name="dir"/> and adds a random <see cref="RandomT2I"/>
    /// model sized to its latent [C, H, H] (e.g. Fashion-MNIST's 64×4×4), with the two LLM verifiers and the probes.
    /// Lets text-to-image evaluation be developed against real images and a real decoder before a T2I model is trained.
    /// </summary>
    public static string CreateT2I(string stage1Bundle, string dir, long seed = 0)
    {
        var source = RaeBundle.Load(stage1Bundle);
        var shape = source.Misc.LatentSize ?? throw new ArgumentException($"bundle '{source.Name}': misc.latent_size is needed to size the T2I model");
        if (shape.Length != 3 || shape[1] != shape[2]) throw new ArgumentException($"bundle '{source.Name}': latent [{string.Join(",", shape)}] is not [C,H,H]");
        var p = source.Stage1.Params;
        var probes = (source.Verifiers ?? []).Where(v => v.Type == Verifiers.ClassProbeVerifier.TypeName).ToArray();
        string[] files = [p.EncoderConfigPath, p.EncoderWeightsPath, p.DecoderConfigPath, p.PretrainedDecoderPath, p.NormalizationStatPath ?? "", .. probes.Select(v => v.Weights)];
        foreach (var rel in files.Where(f => f.Length > 0))
        {
            var to = Path.GetFullPath(Path.Combine(dir, rel));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(source.Resolve(rel), to, overwrite: true);
        }
        var t2i = RandomT2I.Write(dir, shape[0], new Generator((ulong)seed), shape[1]);
        var bundle = new RaeBundle
        {
            Name = $"{source.Name}-t2i-random",
            Description = $"Random Scale-RAE text-to-image model ({RandomT2I.DescribeLlm}, DiT head on latent {string.Join("×", shape)}) " +
                          $"on the frozen stage_1 of '{source.Name}'. The T2I weights are random: prompts are not followed, LLM verifier scores are meaningless.",
            RandomWeights = true,
            Compute = source.Compute,
            Stage1 = source.Stage1,
            T2I = t2i,
            Verifiers = [.. RandomT2I.Verifiers, .. probes],
            Misc = source.Misc,
        };
        var path = Path.Combine(dir, "bundle.json");
        bundle.Save(path);
        return path;
    }

    /// <summary>Writes the encoder and decoder of <c>stage_1</c>; returns the SigLIP-2 encoder's weights (null for DINOv2).</summary>
    static Dictionary<string, Tensor>? WriteStage1(string dir, RandomBundleShape s, Generator gen, bool siglip)
    {
        Dictionary<string, Tensor>? encoderWeights = null;
        if (siglip) encoderWeights = RandomSiglip2.WriteEncoder(dir, s, gen);
        else
        {
            var encoderJson = new JsonObject
            {
                ["model_type"] = Dinov2WithRegistersConfig.ModelType, ["hidden_size"] = s.Width, ["num_hidden_layers"] = s.EncoderLayers,
                ["num_attention_heads"] = s.EncoderHeads, ["mlp_ratio"] = 4.0, ["patch_size"] = 14, ["image_size"] = 224,
                ["num_register_tokens"] = 4, ["layer_norm_eps"] = 1e-6, ["hidden_act"] = "gelu", ["qkv_bias"] = true,
                ["layerscale_value"] = 1.0, ["num_channels"] = 3,
            };
            WriteJson(Path.Combine(dir, "encoder", "config.json"), encoderJson);
            using var enc = new Dinov2WithRegistersModel(Dinov2WithRegistersConfig.FromFile(Path.Combine(dir, "encoder", "config.json")));
            SaveRandomized(enc, Path.Combine(dir, "encoder", "model.safetensors"), gen);
        }

        var decoderJson = new JsonObject
        {
            ["model_type"] = "vit_mae", ["hidden_size"] = s.Width, ["decoder_hidden_size"] = s.DecoderWidth,
            ["decoder_num_hidden_layers"] = s.DecoderLayers, ["decoder_num_attention_heads"] = s.DecoderHeads,
            ["decoder_intermediate_size"] = s.DecoderMlp,
            ["layer_norm_eps"] = 1e-12, ["hidden_act"] = "gelu", ["qkv_bias"] = true, ["num_channels"] = 3,
            ["patch_size"] = 16, ["image_size"] = 256,
        };
        WriteJson(Path.Combine(dir, "decoder", "config.json"), decoderJson);
        using (var dec = new GeneralDecoder(DecoderConfig.Load(Path.Combine(dir, "decoder", "config.json")).ForRae(s.Width, 256)))
            SaveRandomized(dec, Path.Combine(dir, "decoder", "model.safetensors"), gen);
        return encoderWeights;
    }

    internal static void WriteJson(string path, JsonObject o)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static bool IsFixedTable(string key) =>
        key.EndsWith("pos_embed", StringComparison.Ordinal) || key.Contains("freqs_", StringComparison.Ordinal);

    static void SaveRandomized(nn.Module module, string path, Generator gen)
    {
        using var scope = NewDisposeScope();
        Save(path, Randomized(module, gen));
    }

    /// <summary>Writes a random-init safetensors file (metadata says so).</summary>
    internal static void Save(string path, IReadOnlyDictionary<string, Tensor> weights)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensorsWriter.Write(path, weights, new Dictionary<string, string> { ["format"] = "pt", ["random_init"] = "true" });
    }

    /// <summary>The module's state dict re-drawn by the rules above, in sorted-key order from <paramref name="gen"/>.</summary>
    internal static Dictionary<string, Tensor> Randomized(nn.Module module, Generator gen)
    {
        var sd = module.state_dict();
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, t) in sd.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (IsFixedTable(key) || !t.is_floating_point()) { result[key] = t; continue; }
            var shape = t.shape;
            Tensor v;
            // in_proj_*: the packed q/k/v projection of SigLIP's pooling head (nn.MultiheadAttention names).
            if (key.EndsWith(".bias", StringComparison.Ordinal) || key.EndsWith("in_proj_bias", StringComparison.Ordinal)) v = randn(shape, generator: gen) * 0.05;
            else if ((key.EndsWith(".weight", StringComparison.Ordinal) || key.EndsWith("in_proj_weight", StringComparison.Ordinal)) && shape.Length >= 2)
            {
                var fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                var std = 1.0 / Math.Sqrt(fanIn) * (key.Contains("adaLN", StringComparison.Ordinal) ? 0.5 : 1.0);
                v = randn(shape, generator: gen) * std;
            }
            else if (key.EndsWith(".weight", StringComparison.Ordinal)) v = 1 + randn(shape, generator: gen) * 0.1;
            else if (key.EndsWith("t_embedder.W", StringComparison.Ordinal)) v = randn(shape, generator: gen);
            else v = randn(shape, generator: gen) * 0.5;
            result[key] = v.to(t.dtype);
        }
        return result;
    }
}
