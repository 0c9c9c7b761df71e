using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;

namespace RAE.Grid.Models.Tests.Decoders;

public class DecoderConfigTests
{
    // The fields of the released configs/decoder/ViTXL/config.json (HF ViTMAEConfig, transformers 4.42.3).
    const string ViTXLConfigJson = """
    {
      "architectures": ["ViTMAEForPreTraining"],
      "attention_probs_dropout_prob": 0.0,
      "decoder_hidden_size": 1152,
      "decoder_intermediate_size": 4096,
      "decoder_num_attention_heads": 16,
      "decoder_num_hidden_layers": 28,
      "hidden_act": "gelu",
      "hidden_dropout_prob": 0.0,
      "hidden_size": 768,
      "image_size": 224,
      "initializer_range": 0.02,
      "intermediate_size": 3072,
      "layer_norm_eps": 1e-12,
      "mask_ratio": 0.75,
      "model_type": "vit_mae",
      "norm_pix_loss": false,
      "num_attention_heads": 12,
      "num_channels": 3,
      "num_hidden_layers": 12,
      "patch_size": 16,
      "qkv_bias": true,
      "torch_dtype": "float32",
      "transformers_version": "4.42.3"
    }
    """;

    [Fact]
    public void Released_ViTXL_config_json_parses_to_the_ViTXL_preset()
    {
        var parsed = DecoderConfig.FromJson(ViTXLConfigJson);
        Assert.Equal(DecoderPresets.ViTXL, parsed);
        Assert.Equal(DecoderPresets.ViTXL, DecoderPresets.Get("ViT-XL"));
        Assert.Equal(1e-12, parsed.LayerNormEps);
        Assert.Equal("gelu", parsed.HiddenAct);
    }

    [Theory]
    [InlineData("ViT-B", 768, 12, 12, 3072)]
    [InlineData("ViTL", 1024, 24, 16, 4096)]
    [InlineData("vit-xl", 1152, 28, 16, 4096)]
    public void Presets_have_the_official_sizes(string name, int width, int depth, int heads, int mlp)
    {
        var json = $$"""{"decoder_hidden_size": {{width}}, "decoder_num_hidden_layers": {{depth}}, "decoder_num_attention_heads": {{heads}}, "decoder_intermediate_size": {{mlp}}}""";
        Assert.Equal(DecoderConfig.FromJson(json), DecoderPresets.Get(name));
    }

    [Theory]
    [InlineData(256, 256)]
    [InlineData(1024, 512)]
    public void ForRae_sets_patch_16_and_image_size_16_sqrt_num_patches(int numPatches, int imageSize)
    {
        var c = DecoderPresets.ViTXL.ForRae(encoderHiddenSize: 768, numPatches: numPatches);
        Assert.Equal((768, 16, imageSize, numPatches, 768), (c.HiddenSize, c.PatchSize, c.ImageSize, c.NumPatches, c.PatchDim));
    }

    [Fact]
    public void ForRae_rejects_a_non_square_token_count()
    {
        Assert.Throws<ArgumentException>(() => DecoderPresets.ViTB.ForRae(768, 200));
    }

    [Theory]
    [InlineData("""{"decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8}""", "decoder_hidden_size")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 5, "decoder_intermediate_size": 8}""", "decoder_num_attention_heads")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 0, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8}""", "decoder_num_hidden_layers")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8, "hidden_act": "tanhh"}""", "hidden_act")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8, "layer_norm_eps": "small"}""", "layer_norm_eps")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8, "qkv_bias": 1}""", "qkv_bias")]
    [InlineData("""{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 4, "decoder_intermediate_size": 8, "image_size": 250}""", "image_size")]
    public void Invalid_config_raises_an_error_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<ConfigFieldException>(() => DecoderConfig.FromJson(json));
        Assert.Contains($"'{field}'", e.Message);
        Assert.Equal(field, e.Field);
        Assert.Equal(DecoderConfig.DefaultSource, e.Source);
    }

    [Fact]
    public void Config_file_errors_name_the_file_and_the_field()
    {
        var path = Path.Combine(Path.GetTempPath(), $"decoder-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"decoder_hidden_size": 96}""");
        try
        {
            var e = Assert.Throws<ConfigFieldException>(() => DecoderConfig.Load(path));
            Assert.Equal(path, e.Source);
            Assert.Equal("decoder_num_hidden_layers", e.Field);
            Assert.Contains(path, e.Message);
            Assert.Contains("decoder_num_hidden_layers", e.Message);
        }
        finally { File.Delete(path); }
    }
}
