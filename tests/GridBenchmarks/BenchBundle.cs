using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Encoders.Dinov2;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// A randomly initialised RAE bundle at a chosen width, for timing. The repository's tiny bundle (32 wide) does too
/// little work per item for the grid's overhead to be judged against anything; the real models (DINOv2-B encoder,
/// ViT-XL decoder, DiT^DH-XL) are far too slow for a 2-core CPU run. This sits between: the encoder, decoder and DiT
/// backbone are <see cref="Width"/> wide with 64-dim heads (384 = DINOv2-S width), a few layers each, the official
/// token counts (224/14 → 16×16 latent, 256² images). Same weight recipe as <see cref="RandomBundle"/>.
/// </summary>
public sealed record BenchBundle(int Width = 384, int EncoderLayers = 4, int DecoderLayers = 4, int DiTDepth = 4, int NumClasses = 10)
{
    /// <summary>One line saying what the bundle is, for the benchmark's header.</summary>
    public string Describe() =>
        $"random weights; DINOv2-reg encoder {Width}w×{EncoderLayers}L, ViT decoder {Width}w×{DecoderLayers}L, " +
        $"DiT^DH [{Width},{HeadWidth}]×[{DiTDepth},1] + weak [{Width / 2},{WeakHeadWidth}]×[{WeakDepth},1], " +
        $"latent {Width}×16×16, images 256²";

    // DDT head a third wider than the backbone (the released DiT^DH-XL: 1152 → 2048), in whole 64-dim heads.
    int HeadWidth => Math.Max(64, Width * 4 / 3 / 64 * 64);
    int WeakHeadWidth => Math.Max(64, HeadWidth / 2 / 64 * 64);
    int WeakDepth => Math.Max(1, DiTDepth / 2);

    /// <summary>Writes the bundle under <paramref name="dir"/> and returns the bundle file's path.</summary>
    public string Create(string dir, long seed = 0)
    {
        if (Width % 64 != 0 || Width < 128) throw new ArgumentException($"--width must be a multiple of 64 and at least 128, got {Width}");
        Directory.CreateDirectory(dir);
        var gen = new Generator((ulong)seed);
        int heads = Width / 64;

        var encoderJson = new JsonObject
        {
            ["model_type"] = Dinov2WithRegistersConfig.ModelType, ["hidden_size"] = Width, ["num_hidden_layers"] = EncoderLayers,
            ["num_attention_heads"] = heads, ["mlp_ratio"] = 4.0, ["patch_size"] = 14, ["image_size"] = 224,
            ["num_register_tokens"] = 4, ["layer_norm_eps"] = 1e-6, ["hidden_act"] = "gelu", ["qkv_bias"] = true,
            ["layerscale_value"] = 1.0, ["num_channels"] = 3,
        };
        WriteJson(Path.Combine(dir, "encoder", "config.json"), encoderJson);
        using (var enc = new Dinov2WithRegistersModel(Dinov2WithRegistersConfig.FromFile(Path.Combine(dir, "encoder", "config.json"))))
            SaveRandomized(enc, Path.Combine(dir, "encoder", "model.safetensors"), gen);

        var decoderJson = new JsonObject
        {
            ["model_type"] = "vit_mae", ["hidden_size"] = Width, ["decoder_hidden_size"] = Width,
            ["decoder_num_hidden_layers"] = DecoderLayers, ["decoder_num_attention_heads"] = heads, ["decoder_intermediate_size"] = 4 * Width,
            ["layer_norm_eps"] = 1e-12, ["hidden_act"] = "gelu", ["qkv_bias"] = true, ["num_channels"] = 3,
            ["patch_size"] = 16, ["image_size"] = 256,
        };
        WriteJson(Path.Combine(dir, "decoder", "config.json"), decoderJson);
        using (var dec = new GeneralDecoder(DecoderConfig.Load(Path.Combine(dir, "decoder", "config.json")).ForRae(Width, 256)))
            SaveRandomized(dec, Path.Combine(dir, "decoder", "model.safetensors"), gen);

        JsonObject DiTParams(int backbone, int head, int depth) => new()
        {
            ["input_size"] = 16, ["patch_size"] = 1, ["in_channels"] = Width,
            ["hidden_size"] = new JsonArray(backbone, head), ["depth"] = new JsonArray(depth, 1),
            ["num_heads"] = new JsonArray(Math.Max(1, backbone / 64), Math.Max(1, head / 64)), ["mlp_ratio"] = 4.0, ["class_dropout_prob"] = 0.1,
            ["num_classes"] = NumClasses, ["use_qknorm"] = false, ["use_swiglu"] = true, ["use_rope"] = true,
            ["use_rmsnorm"] = true, ["wo_shift"] = false, ["use_pos_embed"] = true,
        };
        var main = DiTParams(Width, HeadWidth, DiTDepth);
        var weak = DiTParams(Width / 2, WeakHeadWidth, WeakDepth);
        foreach (var (name, p) in new[] { ("dit", main), ("dit_weak", weak) })
        {
            using var model = new DiTDH(DiTDHConfig.FromJson(JsonDocument.Parse(p.ToJsonString()).RootElement));
            SaveRandomized(model, Path.Combine(dir, name, "model.safetensors"), gen);
        }

        var bundle = new RaeBundle
        {
            Name = $"bench-random-{Width}",
            Description = "Benchmark bundle (tests/GridBenchmarks): " + Describe(),
            RandomWeights = true,
            Stage1 = new Stage1Section
            {
                Params = new Stage1Params
                {
                    EncoderCls = "Dinov2withNorm", EncoderConfigPath = "encoder/config.json",
                    EncoderWeightsPath = "encoder/model.safetensors", EncoderInputSize = 224, InputImageSize = 256,
                    DecoderConfigPath = "decoder/config.json", PretrainedDecoderPath = "decoder/model.safetensors",
                },
            },
            Stage2 = new ModelSection { Target = "DiTwDDTHead", Params = main, Ckpt = "dit/model.safetensors" },
            Guidance = new GuidanceSection
            {
                Method = "autoguidance", Scale = 1.42,
                GuidanceModel = new ModelSection { Target = "DiTwDDTHead", Params = weak, Ckpt = "dit_weak/model.safetensors" },
            },
            Misc = new MiscSection { LatentSize = [Width, 16, 16], NumClasses = NumClasses },
        };
        var path = Path.Combine(dir, "bundle.json");
        bundle.Save(path);
        return path;
    }

    static void WriteJson(string path, JsonObject o)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    // RandomBundle's recipe (its helper is private): N(0, 1/fan_in) weights so activations stay O(1) through the
    // layers — zeros or huge values would time a different (degenerate) computation.
    static void SaveRandomized(nn.Module module, string path, Generator gen)
    {
        using var scope = NewDisposeScope();
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, t) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var fixedTable = key.EndsWith("pos_embed", StringComparison.Ordinal) || key.Contains("freqs_", StringComparison.Ordinal);
            if (fixedTable || !t.is_floating_point()) { result[key] = t; continue; }
            var shape = t.shape;
            Tensor v;
            if (key.EndsWith(".bias", StringComparison.Ordinal)) v = randn(shape, generator: gen) * 0.05;
            else if (key.EndsWith(".weight", StringComparison.Ordinal) && shape.Length >= 2)
            {
                var fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                v = randn(shape, generator: gen) * (1.0 / Math.Sqrt(fanIn) * (key.Contains("adaLN", StringComparison.Ordinal) ? 0.5 : 1.0));
            }
            else if (key.EndsWith(".weight", StringComparison.Ordinal)) v = 1 + randn(shape, generator: gen) * 0.1;
            else if (key.EndsWith("t_embedder.W", StringComparison.Ordinal)) v = randn(shape, generator: gen);
            else v = randn(shape, generator: gen) * 0.5;
            result[key] = v.to(t.dtype);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensorsWriter.Write(path, result, new Dictionary<string, string> { ["format"] = "pt", ["random_init"] = "true" });
    }
}
