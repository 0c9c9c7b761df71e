using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>stage_1.params</c>, named as the official RAE constructor's arguments.</summary>
public sealed record Stage1Params
{
    [JsonPropertyName("encoder_cls")] public string EncoderCls { get; init; } = "Dinov2withNorm";
    /// <summary>HF config.json of the encoder.</summary>
    [JsonPropertyName("encoder_config_path")] public string EncoderConfigPath { get; init; } = "";
    /// <summary>Encoder weights (HF key names; safetensors or .pt).</summary>
    [JsonPropertyName("encoder_weights_path")] public string EncoderWeightsPath { get; init; } = "";
    [JsonPropertyName("encoder_input_size")] public int EncoderInputSize { get; init; } = 224;
    /// <summary>Size of the images the RAE takes and the decoder produces (256 or 512 in the papers).</summary>
    [JsonPropertyName("input_image_size")] public int InputImageSize { get; init; } = 256;
    /// <summary>The encoder processor's mean/std; null = the encoder family's default.</summary>
    [JsonPropertyName("pixel_mean")] public float[]? PixelMean { get; init; }
    [JsonPropertyName("pixel_std")] public float[]? PixelStd { get; init; }
    /// <summary>HF ViTMAEConfig-style decoder JSON.</summary>
    [JsonPropertyName("decoder_config_path")] public string DecoderConfigPath { get; init; } = "";
    [JsonPropertyName("decoder_patch_size")] public int DecoderPatchSize { get; init; } = 16;
    [JsonPropertyName("pretrained_decoder_path")] public string PretrainedDecoderPath { get; init; } = "";
    [JsonPropertyName("noise_tau")] public double NoiseTau { get; init; }
    [JsonPropertyName("reshape_to_2d")] public bool ReshapeTo2d { get; init; } = true;
    [JsonPropertyName("normalization_stat_path")] public string? NormalizationStatPath { get; init; }
}
