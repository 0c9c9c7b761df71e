using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Encoders.Siglip;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>HF config.json parsing: HF defaults, full-model configs, and errors that name the bad field.</summary>
public class EncoderConfigTests
{
    static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void Absent_fields_take_the_hf_defaults()
    {
        var dino = Dinov2WithRegistersConfig.FromJson(Json("""{"model_type": "dinov2_with_registers", "image_size": 518, "patch_size": 14}"""));
        Assert.Equal((768, 12, 12, 3072, 4, 1e-6, 37), (dino.HiddenSize, dino.NumHiddenLayers, dino.NumAttentionHeads, dino.MlpHiddenSize, dino.NumRegisterTokens, dino.LayerNormEps, dino.PositionGridSize));
        var mae = ViTMAEConfig.FromJson(Json("""{"model_type": "vit_mae"}"""));
        Assert.Equal((768, 224, 16, 1e-12, 0.75), (mae.HiddenSize, mae.ImageSize, mae.PatchSize, mae.LayerNormEps, mae.MaskRatio));
        var text = SiglipTextConfig.FromJson(Json("""{"hidden_size": 96, "num_attention_heads": 4}"""));
        Assert.Equal(96, text.ProjectionSize); // projection_size defaults to hidden_size, as in HF
    }

    [Fact]
    public void A_full_siglip_model_config_gives_both_tower_configs()
    {
        var json = Json("""
        {"model_type": "siglip",
         "text_config": {"model_type": "siglip_text_model", "vocab_size": 256000, "hidden_size": 768, "num_attention_heads": 12},
         "vision_config": {"model_type": "siglip_vision_model", "image_size": 256, "patch_size": 16}}
        """);
        Assert.Equal(256, SiglipVisionConfig.FromJson(json).ImageSize);
        Assert.Equal(256000, SiglipTextConfig.FromJson(json).VocabSize);
    }

    [Theory]
    [InlineData("""{"hidden_size": "big"}""", "hidden_size")]
    [InlineData("""{"hidden_size": 0}""", "hidden_size")]
    [InlineData("""{"hidden_size": 64, "num_attention_heads": 5}""", "num_attention_heads")]
    [InlineData("""{"hidden_act": "mish"}""", "hidden_act")]
    [InlineData("""{"qkv_bias": 1}""", "qkv_bias")]
    [InlineData("""{"model_type": "dinov2"}""", "model_type")]
    [InlineData("""{"use_swiglu_ffn": true}""", "use_swiglu_ffn")]
    [InlineData("""{"layer_norm_eps": -1}""", "layer_norm_eps")]
    public void A_bad_dinov2_field_is_named_in_the_error(string json, string field)
    {
        var e = Assert.Throws<ConfigFieldException>(() => Dinov2WithRegistersConfig.FromJson(Json(json)));
        Assert.Contains($"'{field}'", e.Message);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Bad_fields_of_the_other_configs_are_named_in_the_error()
    {
        Assert.Contains("'mask_ratio'", Assert.Throws<ConfigFieldException>(() => ViTMAEConfig.FromJson(Json("""{"mask_ratio": 1.5}"""))).Message);
        Assert.Contains("'patch_size'", Assert.Throws<ConfigFieldException>(() => SiglipVisionConfig.FromJson(Json("""{"patch_size": 14.5}"""))).Message);
        Assert.Contains("'vocab_size'", Assert.Throws<ConfigFieldException>(() => SiglipTextConfig.FromJson(Json("""{"vocab_size": -3}"""))).Message);
    }

    [Fact]
    public void A_config_file_is_read_from_disk()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"model_type": "vit_mae", "hidden_size": 48, "num_attention_heads": 4}""");
            Assert.Equal(48, ViTMAEConfig.FromFile(path).HiddenSize);
            File.WriteAllText(path, "{not json");
            Assert.Contains(path, Assert.Throws<ConfigFieldException>(() => ViTMAEConfig.FromFile(path)).Message);
        }
        finally { File.Delete(path); }
    }
}
