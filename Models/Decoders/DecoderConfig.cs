using System.Text.Json;

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

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field; returns this otherwise.</summary>
    public DecoderConfig Validated()
    {
        static void Positive(int v, string name)
        {
            if (v <= 0) throw new ArgumentException($"decoder config: {name} must be positive, got {v}", name);
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
            throw new ArgumentException($"decoder config: decoder_hidden_size {DecoderHiddenSize} is not divisible by " +
                                        $"decoder_num_attention_heads {DecoderNumAttentionHeads}", "decoder_num_attention_heads");
        if (DecoderHiddenSize % 4 != 0) // the 2-D sin-cos table splits the width in four
            throw new ArgumentException($"decoder config: decoder_hidden_size {DecoderHiddenSize} must be divisible by 4",
                "decoder_hidden_size");
        if (ImageSize % PatchSize != 0)
            throw new ArgumentException($"decoder config: image_size {ImageSize} is not divisible by patch_size {PatchSize}",
                "image_size");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps))
            throw new ArgumentException($"decoder config: layer_norm_eps must be positive, got {LayerNormEps}", "layer_norm_eps");
        try { Layers.Activations.Get(HiddenAct); }
        catch (ArgumentException e) { throw new ArgumentException($"decoder config: hidden_act: {e.Message}", "hidden_act"); }
        return this;
    }

    /// <summary>This config as ViTMAEConfig JSON (the keys <see cref="FromJson(JsonElement)"/> reads back).</summary>
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
    public static DecoderConfig Load(string path)
    {
        try { return FromJson(File.ReadAllText(path)); }
        catch (Exception e) when (e is ArgumentException or JsonException)
        { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Parses ViTMAEConfig JSON text.</summary>
    public static DecoderConfig FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return FromJson(doc.RootElement);
    }

    /// <summary>
    /// Parses a ViTMAEConfig JSON object. The four decoder_* sizes are required; the others default to HF's
    /// ViTMAEConfig defaults. Unknown keys (architectures, mask_ratio, ...) are ignored.
    /// </summary>
    public static DecoderConfig FromJson(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new ArgumentException("decoder config: expected a JSON object");
        var d = new DecoderConfig(0, 0, 0, 0);
        return new DecoderConfig(
            RequiredInt(e, "decoder_hidden_size"),
            RequiredInt(e, "decoder_num_hidden_layers"),
            RequiredInt(e, "decoder_num_attention_heads"),
            RequiredInt(e, "decoder_intermediate_size"),
            OptionalInt(e, "hidden_size", d.HiddenSize),
            OptionalDouble(e, "layer_norm_eps", d.LayerNormEps),
            OptionalString(e, "hidden_act", d.HiddenAct),
            OptionalBool(e, "qkv_bias", d.QkvBias),
            OptionalInt(e, "num_channels", d.NumChannels),
            OptionalInt(e, "patch_size", d.PatchSize),
            OptionalInt(e, "image_size", d.ImageSize)).Validated();
    }

    private static int RequiredInt(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) ? AsInt(v, key) : throw new ArgumentException($"decoder config: missing {key}", key);

    private static int OptionalInt(JsonElement e, string key, int fallback) =>
        e.TryGetProperty(key, out var v) ? AsInt(v, key) : fallback;

    private static int AsInt(JsonElement v, string key) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
            : throw new ArgumentException($"decoder config: {key} must be an integer, got {v.GetRawText()}", key);

    private static double OptionalDouble(JsonElement e, string key, double fallback) =>
        !e.TryGetProperty(key, out var v) ? fallback
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : throw new ArgumentException($"decoder config: {key} must be a number, got {v.GetRawText()}", key);

    private static string OptionalString(JsonElement e, string key, string fallback) =>
        !e.TryGetProperty(key, out var v) ? fallback
        : v.ValueKind == JsonValueKind.String ? v.GetString()!
        : throw new ArgumentException($"decoder config: {key} must be a string, got {v.GetRawText()}", key);

    private static bool OptionalBool(JsonElement e, string key, bool fallback) =>
        !e.TryGetProperty(key, out var v) ? fallback
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw new ArgumentException($"decoder config: {key} must be true or false, got {v.GetRawText()}", key);
}
