using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>
/// HF <c>SiglipVisionConfig</c>. <see cref="FromJson"/> accepts either a vision config or a full
/// <c>SiglipModel</c> config.json (model_type "siglip"), whose <c>vision_config</c> it reads. Absent keys take
/// HF's defaults.
/// </summary>
public sealed record SiglipVisionConfig(
    int HiddenSize = 768,
    int IntermediateSize = 3072,
    int NumHiddenLayers = 12,
    int NumAttentionHeads = 12,
    int NumChannels = 3,
    int ImageSize = 224,
    int PatchSize = 16,
    string HiddenAct = "gelu_pytorch_tanh",
    double LayerNormEps = 1e-6,
    bool VisionUseHead = true)
{
    /// <summary>Side of the square position grid (image_size / patch_size).</summary>
    public int PositionGridSize => ImageSize / PatchSize;

    /// <summary>Parses and validates an HF config.json object.</summary>
    public static SiglipVisionConfig FromJson(JsonElement json, string name = "SiglipVisionConfig")
    {
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("vision_config", out var vision))
            return FromJson(vision, name + ".vision_config");
        var r = new ConfigReader(json, name);
        var type = r.String("model_type", "siglip_vision_model");
        if (type is not ("siglip_vision_model" or "siglip2_vision_model"))
            throw r.Bad("model_type", $"must be 'siglip_vision_model', got '{type}'");
        var c = new SiglipVisionConfig(
            HiddenSize: r.PositiveInt("hidden_size", 768),
            IntermediateSize: r.PositiveInt("intermediate_size", 3072),
            NumHiddenLayers: r.PositiveInt("num_hidden_layers", 12),
            NumAttentionHeads: r.PositiveInt("num_attention_heads", 12),
            NumChannels: r.PositiveInt("num_channels", 3),
            ImageSize: r.PositiveInt("image_size", 224),
            PatchSize: r.PositiveInt("patch_size", 16),
            HiddenAct: r.Activation("hidden_act", "gelu_pytorch_tanh"),
            LayerNormEps: r.Double("layer_norm_eps", 1e-6),
            VisionUseHead: r.Bool("vision_use_head", true));
        r.RequireDivides("num_attention_heads", c.NumAttentionHeads, "hidden_size", c.HiddenSize);
        if (c.LayerNormEps <= 0) throw r.Bad("layer_norm_eps", $"must be > 0, got {c.LayerNormEps}");
        if (c.ImageSize < c.PatchSize) throw r.Bad("image_size", $"({c.ImageSize}) must be >= patch_size ({c.PatchSize})");
        return c;
    }

    /// <summary>Reads a config.json file.</summary>
    public static SiglipVisionConfig FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);
}
