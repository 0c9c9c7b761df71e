using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders.Mae;

namespace RAE.Grid.Training.Mae;

/// <summary>
/// HF <c>ViTMAEConfig</c> for <c>ViTMAEForPreTraining</c>: the encoder fields (<see cref="Encoder"/>, the existing
/// <see cref="ViTMAEConfig"/>, which also holds <c>mask_ratio</c>) plus the pre-training decoder and loss fields.
/// Defaults are HF's (decoder 512 wide, 8 layers, 16 heads, MLP 2048, norm_pix_loss false, initializer_range 0.02).
/// </summary>
public sealed record ViTMAEPreTrainingConfig(
    ViTMAEConfig Encoder,
    int DecoderHiddenSize = 512,
    int DecoderNumHiddenLayers = 8,
    int DecoderNumAttentionHeads = 16,
    int DecoderIntermediateSize = 2048,
    bool NormPixLoss = false,
    double InitializerRange = 0.02)
{
    /// <summary>
    /// The project's toy encoder (Fashion-MNIST): 28² images, patch 7 (4×4 = 16 tokens), hidden 64, 4 layers, 4 heads,
    /// MLP 256; decoder 64 wide, 2 layers, 4 heads, MLP 256; mask 0.75 and norm_pix_loss on, as MAE pre-trains.
    /// </summary>
    public static ViTMAEPreTrainingConfig Toy { get; } = new(
        new ViTMAEConfig(HiddenSize: 64, NumHiddenLayers: 4, NumAttentionHeads: 4, IntermediateSize: 256,
            ImageSize: 28, PatchSize: 7, NumChannels: 3, MaskRatio: 0.75),
        DecoderHiddenSize: 64, DecoderNumHiddenLayers: 2, DecoderNumAttentionHeads: 4, DecoderIntermediateSize: 256,
        NormPixLoss: true);

    /// <summary>Patches of one image: (image_size / patch_size)².</summary>
    public int NumPatches => Encoder.PositionGridSize * Encoder.PositionGridSize;

    /// <summary>Values per patch predicted by <c>decoder_pred</c>: patch_size² · num_channels.</summary>
    public int PatchDim => Encoder.PatchSize * Encoder.PatchSize * Encoder.NumChannels;

    /// <summary>
    /// Throws a <see cref="ConfigFieldException"/> naming <paramref name="source"/> and the first bad field; returns
    /// this otherwise.
    /// </summary>
    public ViTMAEPreTrainingConfig Validated(string source = "ViTMAEConfig")
    {
        ConfigFieldException Bad(string field, string why) => new(source, field, why);
        void Positive(int v, string field)
        {
            if (v <= 0) throw Bad(field, $"must be > 0, got {v}");
        }
        Positive(DecoderHiddenSize, "decoder_hidden_size");
        Positive(DecoderNumHiddenLayers, "decoder_num_hidden_layers");
        Positive(DecoderNumAttentionHeads, "decoder_num_attention_heads");
        Positive(DecoderIntermediateSize, "decoder_intermediate_size");
        if (DecoderHiddenSize % DecoderNumAttentionHeads != 0)
            throw Bad("decoder_num_attention_heads", $"({DecoderNumAttentionHeads}) must divide decoder_hidden_size ({DecoderHiddenSize})");
        // Both position tables are 2-D sin-cos tables, which split the width in four.
        if (DecoderHiddenSize % 4 != 0) throw Bad("decoder_hidden_size", $"({DecoderHiddenSize}) must be divisible by 4");
        if (Encoder.HiddenSize % 4 != 0) throw Bad("hidden_size", $"({Encoder.HiddenSize}) must be divisible by 4");
        if (Encoder.ImageSize % Encoder.PatchSize != 0)
            throw Bad("image_size", $"({Encoder.ImageSize}) must be divisible by patch_size ({Encoder.PatchSize})");
        if (Encoder.MaskRatio is < 0 or >= 1) throw Bad("mask_ratio", $"must be in [0, 1), got {Encoder.MaskRatio}");
        if (!(InitializerRange > 0)) throw Bad("initializer_range", $"must be > 0, got {InitializerRange}");
        return this;
    }

    /// <summary>Parses an HF config.json object: the encoder through <see cref="ViTMAEConfig.FromJson"/>, then the pre-training fields.</summary>
    public static ViTMAEPreTrainingConfig FromJson(JsonElement json, string name = "ViTMAEConfig")
    {
        var encoder = ViTMAEConfig.FromJson(json, name);
        var r = new ConfigReader(json, name);
        return new ViTMAEPreTrainingConfig(encoder,
            r.PositiveInt("decoder_hidden_size", 512), r.PositiveInt("decoder_num_hidden_layers", 8),
            r.PositiveInt("decoder_num_attention_heads", 16), r.PositiveInt("decoder_intermediate_size", 2048),
            r.Bool("norm_pix_loss", false), r.Double("initializer_range", 0.02)).Validated(name);
    }

    /// <summary>Reads a config.json file.</summary>
    public static ViTMAEPreTrainingConfig FromFile(string path) => FromJson(ConfigReader.ReadFile(path), path);

    /// <summary>
    /// The HF config.json text (every field HF writes for this model that matters here; dropouts 0). Both
    /// <see cref="ViTMAEConfig.FromFile"/> and <see cref="FromFile"/> read it back to equal records.
    /// </summary>
    public string ToJson()
    {
        var e = Encoder;
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray("ViTMAEForPreTraining"),
            ["model_type"] = "vit_mae",
            ["hidden_size"] = e.HiddenSize,
            ["num_hidden_layers"] = e.NumHiddenLayers,
            ["num_attention_heads"] = e.NumAttentionHeads,
            ["intermediate_size"] = e.IntermediateSize,
            ["hidden_act"] = e.HiddenAct,
            ["hidden_dropout_prob"] = 0.0,
            ["attention_probs_dropout_prob"] = 0.0,
            ["initializer_range"] = InitializerRange,
            ["layer_norm_eps"] = e.LayerNormEps,
            ["image_size"] = e.ImageSize,
            ["patch_size"] = e.PatchSize,
            ["num_channels"] = e.NumChannels,
            ["qkv_bias"] = e.QkvBias,
            ["decoder_hidden_size"] = DecoderHiddenSize,
            ["decoder_num_hidden_layers"] = DecoderNumHiddenLayers,
            ["decoder_num_attention_heads"] = DecoderNumAttentionHeads,
            ["decoder_intermediate_size"] = DecoderIntermediateSize,
            ["mask_ratio"] = e.MaskRatio,
            ["norm_pix_loss"] = NormPixLoss,
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (creating its folder).</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToJson());
    }
}
