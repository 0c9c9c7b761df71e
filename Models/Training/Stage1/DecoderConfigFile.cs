using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Decoders;

namespace RAE.Grid.Models.Training.Stage1;

/// <summary>Writes a <see cref="DecoderConfig"/> as the ViTMAE-style <c>config.json</c> that <see cref="DecoderConfig.Load"/> reads.</summary>
public static class DecoderConfigFile
{
    /// <summary>The JSON object (HF ViTMAEConfig key names, <c>model_type</c> "vit_mae").</summary>
    public static JsonObject ToJson(DecoderConfig c) => new()
    {
        ["model_type"] = "vit_mae",
        ["hidden_size"] = c.HiddenSize,
        ["decoder_hidden_size"] = c.DecoderHiddenSize,
        ["decoder_num_hidden_layers"] = c.DecoderNumHiddenLayers,
        ["decoder_num_attention_heads"] = c.DecoderNumAttentionHeads,
        ["decoder_intermediate_size"] = c.DecoderIntermediateSize,
        ["layer_norm_eps"] = c.LayerNormEps,
        ["hidden_act"] = c.HiddenAct,
        ["qkv_bias"] = c.QkvBias,
        ["num_channels"] = c.NumChannels,
        ["patch_size"] = c.PatchSize,
        ["image_size"] = c.ImageSize,
    };

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/> (creating the folder).</summary>
    public static void Write(string path, DecoderConfig config)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToJson(config).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
