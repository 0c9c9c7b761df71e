using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Encoders.Mae;

/// <summary>
/// HF <c>ViTMAEConfig</c> (config.json of e.g. <c>facebook/vit-mae-base</c>); only the encoder fields are read,
/// the <c>decoder_*</c> fields belong to the pre-training decoder RAE does not use. Absent keys take HF's defaults.
/// Note the final LayerNorm eps is <c>layer_norm_eps</c> (1e-12), not DINOv2's 1e-6.
/// </summary>
public sealed record ViTMAEConfig(
    int HiddenSize = 768,
    int NumHiddenLayers = 12,
    int NumAttentionHeads = 12,
    int IntermediateSize = 3072,
    string HiddenAct = "gelu",
    double LayerNormEps = 1e-12,
    int ImageSize = 224,
    int PatchSize = 16,
    int NumChannels = 3,
    bool QkvBias = true,
    double MaskRatio = 0.75)
{
    /// <summary>Side of the square position grid of the stored table (image_size / patch_size).</summary>
    public int PositionGridSize => ImageSize / PatchSize;

    /// <summary>Parses and validates an HF config.json object.</summary>
    public static ViTMAEConfig FromJson(JsonElement json, string name = "ViTMAEConfig")
    {
        var r = new ConfigReader(json, name);
        var type = r.String("model_type", "vit_mae");
        if (type != "vit_mae") throw r.Bad("model_type", $"must be 'vit_mae', got '{type}'");
        var c = new ViTMAEConfig(
            HiddenSize: r.PositiveInt("hidden_size", 768),
            NumHiddenLayers: r.PositiveInt("num_hidden_layers", 12),
            NumAttentionHeads: r.PositiveInt("num_attention_heads", 12),
            IntermediateSize: r.PositiveInt("intermediate_size", 3072),
            HiddenAct: r.Activation("hidden_act", "gelu"),
            LayerNormEps: r.Double("layer_norm_eps", 1e-12),
            ImageSize: r.PositiveInt("image_size", 224),
            PatchSize: r.PositiveInt("patch_size", 16),
            NumChannels: r.PositiveInt("num_channels", 3),
            QkvBias: r.Bool("qkv_bias", true),
            MaskRatio: r.Double("mask_ratio", 0.75));
        r.RequireDivides("num_attention_heads", c.NumAttentionHeads, "hidden_size", c.HiddenSize);
        if (c.LayerNormEps <= 0) throw r.Bad("layer_norm_eps", $"must be > 0, got {c.LayerNormEps}");
        if (c.MaskRatio is < 0 or >= 1) throw r.Bad("mask_ratio", $"must be in [0, 1), got {c.MaskRatio}");
        if (c.ImageSize < c.PatchSize) throw r.Bad("image_size", $"({c.ImageSize}) must be >= patch_size ({c.PatchSize})");
        return c;
    }

    /// <summary>Reads a config.json file.</summary>
    public static ViTMAEConfig FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);
}
