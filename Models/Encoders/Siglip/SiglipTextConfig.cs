using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>
/// HF <c>SiglipTextConfig</c>. <see cref="FromJson"/> accepts either a text config or a full <c>SiglipModel</c>
/// config.json, whose <c>text_config</c> it reads. <c>projection_size</c> defaults to <c>hidden_size</c>, as in HF.
/// </summary>
public sealed record SiglipTextConfig(
    int VocabSize = 32000,
    int HiddenSize = 768,
    int IntermediateSize = 3072,
    int NumHiddenLayers = 12,
    int NumAttentionHeads = 12,
    int MaxPositionEmbeddings = 64,
    string HiddenAct = "gelu_pytorch_tanh",
    double LayerNormEps = 1e-6,
    int ProjectionSize = 768,
    int PadTokenId = 1,
    int EosTokenId = 49407)
{
    /// <summary>Parses and validates an HF config.json object.</summary>
    public static SiglipTextConfig FromJson(JsonElement json, string name = "SiglipTextConfig")
    {
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("text_config", out var text))
            return FromJson(text, name + ".text_config");
        var r = new ConfigReader(json, name);
        var type = r.String("model_type", "siglip_text_model");
        if (type is not ("siglip_text_model" or "siglip2_text_model"))
            throw r.Bad("model_type", $"must be 'siglip_text_model', got '{type}'");
        var hidden = r.PositiveInt("hidden_size", 768);
        var c = new SiglipTextConfig(
            VocabSize: r.PositiveInt("vocab_size", 32000),
            HiddenSize: hidden,
            IntermediateSize: r.PositiveInt("intermediate_size", 3072),
            NumHiddenLayers: r.PositiveInt("num_hidden_layers", 12),
            NumAttentionHeads: r.PositiveInt("num_attention_heads", 12),
            MaxPositionEmbeddings: r.PositiveInt("max_position_embeddings", 64),
            HiddenAct: r.Activation("hidden_act", "gelu_pytorch_tanh"),
            LayerNormEps: r.Double("layer_norm_eps", 1e-6),
            ProjectionSize: r.PositiveInt("projection_size", hidden),
            PadTokenId: r.Int("pad_token_id", 1),
            EosTokenId: r.Int("eos_token_id", 49407));
        r.RequireDivides("num_attention_heads", c.NumAttentionHeads, "hidden_size", c.HiddenSize);
        if (c.LayerNormEps <= 0) throw r.Bad("layer_norm_eps", $"must be > 0, got {c.LayerNormEps}");
        return c;
    }

    /// <summary>Reads a config.json file.</summary>
    public static SiglipTextConfig FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);
}
