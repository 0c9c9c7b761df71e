using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Llm;

/// <summary>
/// HF <c>Qwen2Config</c> (the fields of a Qwen2 / Qwen2.5 <c>config.json</c> that the forward pass uses). Defaults are
/// HF's. <c>rope_scaling</c> and sliding-window attention are rejected rather than silently ignored: the released
/// Scale-RAE models use neither.
/// </summary>
public sealed record Qwen2Config(
    int VocabSize = 151936,
    int HiddenSize = 4096,
    int IntermediateSize = 22016,
    int NumHiddenLayers = 32,
    int NumAttentionHeads = 32,
    int NumKeyValueHeads = 32,
    string HiddenAct = "silu",
    int MaxPositionEmbeddings = 32768,
    double RmsNormEps = 1e-6,
    double RopeTheta = 10000.0,
    bool TieWordEmbeddings = false,
    int? BosTokenId = null,
    int? EosTokenId = null,
    int? PadTokenId = null)
{
    /// <summary>hidden_size / num_attention_heads.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>
    /// Parses and validates an HF config.json object. <paramref name="modelTypes"/> lists the accepted
    /// <c>model_type</c> values (default <c>qwen2</c>; a model built on Qwen2, such as Scale-RAE's, names its own).
    /// </summary>
    public static Qwen2Config FromJson(JsonElement json, string name = "Qwen2Config", IReadOnlyCollection<string>? modelTypes = null)
    {
        var r = new ConfigReader(json, name);
        modelTypes ??= ["qwen2"];
        var type = r.String("model_type", "qwen2");
        if (!modelTypes.Contains(type)) throw r.Bad("model_type", $"must be {string.Join(" or ", modelTypes.Select(t => $"'{t}'"))}, got '{type}'");
        var c = new Qwen2Config(
            VocabSize: r.PositiveInt("vocab_size", 151936),
            HiddenSize: r.PositiveInt("hidden_size", 4096),
            IntermediateSize: r.PositiveInt("intermediate_size", 22016),
            NumHiddenLayers: r.PositiveInt("num_hidden_layers", 32),
            NumAttentionHeads: r.PositiveInt("num_attention_heads", 32),
            NumKeyValueHeads: r.PositiveInt("num_key_value_heads", 32),
            HiddenAct: r.Activation("hidden_act", "silu"),
            MaxPositionEmbeddings: r.PositiveInt("max_position_embeddings", 32768),
            RmsNormEps: r.Double("rms_norm_eps", 1e-6),
            RopeTheta: r.Double("rope_theta", 10000.0),
            TieWordEmbeddings: r.Bool("tie_word_embeddings", false),
            BosTokenId: r.OptionalInt("bos_token_id"),
            EosTokenId: r.OptionalInt("eos_token_id"),
            PadTokenId: r.OptionalInt("pad_token_id"));
        r.RequireDivides("num_attention_heads", c.NumAttentionHeads, "hidden_size", c.HiddenSize);
        r.RequireDivides("num_key_value_heads", c.NumKeyValueHeads, "num_attention_heads", c.NumAttentionHeads);
        if (c.HeadDim % 2 != 0) throw r.Bad("num_attention_heads", $"head_dim {c.HeadDim} must be even for RoPE");
        if (c.RmsNormEps <= 0) throw r.Bad("rms_norm_eps", $"must be > 0, got {c.RmsNormEps}");
        if (c.RopeTheta <= 0) throw r.Bad("rope_theta", $"must be > 0, got {c.RopeTheta}");
        if (json.TryGetProperty("rope_scaling", out var rs) && rs.ValueKind != JsonValueKind.Null)
            throw r.Bad("rope_scaling", "is not supported (only null)");
        if (r.Bool("use_sliding_window", false))
            throw r.Bad("use_sliding_window", "sliding-window attention is not supported");
        return c;
    }

    /// <summary>Reads a config.json file.</summary>
    public static Qwen2Config FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);
}
