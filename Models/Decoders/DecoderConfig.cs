using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Decoders;

/// <summary>
/// The fields of an HF <c>ViTMAEConfig</c> JSON (the official <c>configs/decoder/ViT{B,L,XL}/config.json</c>) that
/// build a <see cref="GeneralDecoder"/>. Property names follow the JSON keys. <see cref="HiddenSize"/> is the width
/// of the tokens fed in (RAE overrides it with the encoder's width); <see cref="PatchSize"/> and
/// <see cref="ImageSize"/> are placeholders in the released files that RAE overrides through <see cref="ForRae"/>.
/// </summary>
public sealed record DecoderConfig(
    int DecoderHiddenSize,
    int DecoderNumHiddenLayers,
    int DecoderNumAttentionHeads,
    int DecoderIntermediateSize,
    int HiddenSize = 768,
    double LayerNormEps = 1e-12,
    string HiddenAct = "gelu",
    bool QkvBias = true,
    int NumChannels = 3,
    int PatchSize = 16,
    int ImageSize = 224)
{
    /// <summary>The decoder patch size RAE uses for every released decoder.</summary>
    public const int RaeDecoderPatchSize = 16;

    /// <summary>Patches per side: image_size / patch_size.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Tokens the decoder works on (and its position table holds, plus one CLS row).</summary>
    public int NumPatches => GridSize * GridSize;

    /// <summary>Values per output token: patch_size² · num_channels (the width of <c>decoder_pred</c>).</summary>
    public int PatchDim => PatchSize * PatchSize * NumChannels;

    /// <summary>
    /// RAE's overrides (official <c>RAE.__init__</c>): hidden_size = the encoder's width, patch_size = the decoder
    /// patch, image_size = patch · sqrt(num_patches) for the encoder's token count.
    /// </summary>
    public DecoderConfig ForRae(int encoderHiddenSize, int numPatches, int decoderPatchSize = RaeDecoderPatchSize)
    {
        var side = (int)Math.Round(Math.Sqrt(numPatches));
        if (numPatches <= 0 || side * side != numPatches)
            throw new ArgumentException($"num_patches {numPatches} is not a positive square number", nameof(numPatches));
        return (this with { HiddenSize = encoderHiddenSize, PatchSize = decoderPatchSize, ImageSize = decoderPatchSize * side })
            .Validated();
    }

    /// <summary>What a decoder config is called in errors when the caller names no file.</summary>
    public const string DefaultSource = "decoder config";

    /// <summary>
    /// Throws a <see cref="ConfigFieldException"/> naming <paramref name="source"/> and the first bad field; returns
    /// this otherwise.
    /// </summary>
    public DecoderConfig Validated(string source = DefaultSource)
    {
        ConfigFieldException Bad(string field, string why) => new(source, field, why);
        void Positive(int v, string field)
        {
            if (v <= 0) throw Bad(field, $"must be positive, got {v}");
        }
        Positive(DecoderHiddenSize, "decoder_hidden_size");
        Positive(DecoderNumHiddenLayers, "decoder_num_hidden_layers");
        Positive(DecoderNumAttentionHeads, "decoder_num_attention_heads");
        Positive(DecoderIntermediateSize, "decoder_intermediate_size");
        Positive(HiddenSize, "hidden_size");
        Positive(NumChannels, "num_channels");
        Positive(PatchSize, "patch_size");
        Positive(ImageSize, "image_size");
        if (DecoderHiddenSize % DecoderNumAttentionHeads != 0)
            throw Bad("decoder_num_attention_heads", $"({DecoderNumAttentionHeads}) must divide decoder_hidden_size ({DecoderHiddenSize})");
        if (DecoderHiddenSize % 4 != 0) // the 2-D sin-cos table splits the width in four
            throw Bad("decoder_hidden_size", $"({DecoderHiddenSize}) must be divisible by 4");
        if (ImageSize % PatchSize != 0)
            throw Bad("image_size", $"({ImageSize}) must be divisible by patch_size ({PatchSize})");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps))
            throw Bad("layer_norm_eps", $"must be positive, got {LayerNormEps}");
        try { Layers.Activations.Get(HiddenAct); }
        catch (ArgumentException e) { throw Bad("hidden_act", e.Message); }
        return this;
    }

    /// <summary>This config as ViTMAEConfig JSON (the keys <see cref="FromJson(JsonElement, string)"/> reads back).</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["model_type"] = "vit_mae",
        ["hidden_size"] = HiddenSize,
        ["decoder_hidden_size"] = DecoderHiddenSize,
        ["decoder_num_hidden_layers"] = DecoderNumHiddenLayers,
        ["decoder_num_attention_heads"] = DecoderNumAttentionHeads,
        ["decoder_intermediate_size"] = DecoderIntermediateSize,
        ["layer_norm_eps"] = LayerNormEps,
        ["hidden_act"] = HiddenAct,
        ["qkv_bias"] = QkvBias,
        ["num_channels"] = NumChannels,
        ["patch_size"] = PatchSize,
        ["image_size"] = ImageSize,
    };

    /// <summary>Writes <see cref="ToJson"/> as an indented <c>config.json</c>.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads a ViTMAEConfig <c>config.json</c> file; errors name the file and the bad field.</summary>
    public static DecoderConfig Load(string path) => FromJson(ConfigReader.ReadFile(path), path);

    /// <summary>Parses ViTMAEConfig JSON text; <paramref name="source"/> names it in errors.</summary>
    public static DecoderConfig FromJson(string json, string source = DefaultSource) =>
        FromJson(ConfigReader.Parse(json, source), source);

    /// <summary>
    /// Parses a ViTMAEConfig JSON object. The four decoder_* sizes are required; the others default to HF's
    /// ViTMAEConfig defaults. Unknown keys (architectures, mask_ratio, ...) are ignored.
    /// </summary>
    public static DecoderConfig FromJson(JsonElement e, string source = DefaultSource)
    {
        var r = new ConfigReader(e, source);
        var d = new DecoderConfig(0, 0, 0, 0);
        return new DecoderConfig(
            r.RequiredInt("decoder_hidden_size"),
            r.RequiredInt("decoder_num_hidden_layers"),
            r.RequiredInt("decoder_num_attention_heads"),
            r.RequiredInt("decoder_intermediate_size"),
            r.Int("hidden_size", d.HiddenSize),
            r.Double("layer_norm_eps", d.LayerNormEps),
            r.String("hidden_act", d.HiddenAct),
            r.Bool("qkv_bias", d.QkvBias),
            r.Int("num_channels", d.NumChannels),
            r.Int("patch_size", d.PatchSize),
            r.Int("image_size", d.ImageSize)).Validated(source);
    }
}
