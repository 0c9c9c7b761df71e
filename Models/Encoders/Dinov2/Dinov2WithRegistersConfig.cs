using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Encoders.Dinov2;

/// <summary>
/// HF <c>Dinov2WithRegistersConfig</c> (config.json of e.g. <c>facebook/dinov2-with-registers-base</c>). Absent
/// keys take HF's defaults. The MLP width is <c>int(hidden_size · mlp_ratio)</c>, as HF computes it.
/// </summary>
public sealed record Dinov2WithRegistersConfig(
    int HiddenSize = 768,
    int NumHiddenLayers = 12,
    int NumAttentionHeads = 12,
    double MlpRatio = 4.0,
    string HiddenAct = "gelu",
    double LayerNormEps = 1e-6,
    int ImageSize = 224,
    int PatchSize = 16,
    int NumChannels = 3,
    bool QkvBias = true,
    double LayerscaleValue = 1.0,
    int NumRegisterTokens = 4)
{
    /// <summary>The HF <c>model_type</c>.</summary>
    public const string ModelType = "dinov2_with_registers";

    /// <summary>Hidden width of each block's MLP.</summary>
    public int MlpHiddenSize => (int)(HiddenSize * MlpRatio);

    /// <summary>Side of the square position-embedding grid stored in the checkpoint (518/14 = 37 for the real model).</summary>
    public int PositionGridSize => ImageSize / PatchSize;

    /// <summary>Tokens before the patch tokens: CLS and the registers.</summary>
    public int PrefixTokens => 1 + NumRegisterTokens;

    /// <summary>Parses and validates an HF config.json object.</summary>
    public static Dinov2WithRegistersConfig FromJson(JsonElement json, string name = "Dinov2WithRegistersConfig")
    {
        var r = new ConfigReader(json, name);
        var type = r.String("model_type", ModelType);
        if (type != ModelType) throw r.Bad("model_type", $"must be '{ModelType}', got '{type}'");
        if (r.Bool("use_swiglu_ffn", false))
            throw r.Bad("use_swiglu_ffn", "is true (the DINOv2-giant SwiGLU MLP), which is not supported");
        var c = new Dinov2WithRegistersConfig(
            HiddenSize: r.PositiveInt("hidden_size", 768),
            NumHiddenLayers: r.PositiveInt("num_hidden_layers", 12),
            NumAttentionHeads: r.PositiveInt("num_attention_heads", 12),
            MlpRatio: r.Double("mlp_ratio", 4.0),
            HiddenAct: r.Activation("hidden_act", "gelu"),
            LayerNormEps: r.Double("layer_norm_eps", 1e-6),
            ImageSize: r.PositiveInt("image_size", 224),
            PatchSize: r.PositiveInt("patch_size", 16),
            NumChannels: r.PositiveInt("num_channels", 3),
            QkvBias: r.Bool("qkv_bias", true),
            LayerscaleValue: r.Double("layerscale_value", 1.0),
            NumRegisterTokens: r.Int("num_register_tokens", 4));
        r.RequireDivides("num_attention_heads", c.NumAttentionHeads, "hidden_size", c.HiddenSize);
        if (c.MlpHiddenSize <= 0) throw r.Bad("mlp_ratio", $"must be > 0, got {c.MlpRatio}");
        if (c.LayerNormEps <= 0) throw r.Bad("layer_norm_eps", $"must be > 0, got {c.LayerNormEps}");
        if (c.NumRegisterTokens < 0) throw r.Bad("num_register_tokens", $"must be >= 0, got {c.NumRegisterTokens}");
        if (c.ImageSize < c.PatchSize) throw r.Bad("image_size", $"({c.ImageSize}) must be >= patch_size ({c.PatchSize})");
        return c;
    }

    /// <summary>Reads a config.json file.</summary>
    public static Dinov2WithRegistersConfig FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);
}
