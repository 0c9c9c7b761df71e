using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Encoders.Dinov2;

namespace RAE.Grid.Models.Tests.Checkpoints;

/// <summary>One reader and one exception for every config family: encoders (HF), decoder (ViTMAE), DiT params.</summary>
public class ConfigReaderTests
{
    static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void Each_config_family_reports_a_bad_field_through_the_one_exception_naming_file_and_field()
    {
        using var dir = new TempDir();
        var encoder = dir.File("encoder-config.json");
        File.WriteAllText(encoder, """{"model_type": "dinov2_with_registers", "hidden_size": "wide"}""");
        var decoder = dir.File("decoder-config.json");
        File.WriteAllText(decoder, """{"decoder_hidden_size": 96, "decoder_num_hidden_layers": 2, "decoder_num_attention_heads": 5, "decoder_intermediate_size": 8}""");
        const string bundle = "bundle.json stage_2.params";

        (Action Read, string Source, string Field)[] cases =
        [
            (() => Dinov2WithRegistersConfig.FromFile(encoder), encoder, "hidden_size"),
            (() => DecoderConfig.Load(decoder), decoder, "decoder_num_attention_heads"),
            (() => DiTDHConfig.FromJson(Json("""{"depth": [1, "two"]}"""), bundle), bundle, "depth"),
            (() => LightningDiTConfig.FromJson(Json("""{"input_size": 15, "patch_size": 2}"""), bundle), bundle, "input_size"),
        ];
        foreach (var (read, source, field) in cases)
        {
            var e = Assert.Throws<ConfigFieldException>(read);
            Assert.Equal(source, e.Source);
            Assert.Equal(field, e.Field);
            Assert.StartsWith($"{source}: field '{field}' ", e.Message);
            Assert.IsAssignableFrom<ArgumentException>(e); // what the CLI and the recipe loader report as bad input
        }
    }

    [Fact]
    public void A_file_that_is_not_json_is_named()
    {
        using var dir = new TempDir();
        var path = dir.File("config.json");
        File.WriteAllText(path, "{not json");
        var e = Assert.Throws<ConfigFieldException>(() => DecoderConfig.Load(path));
        Assert.Equal(path, e.Source);
        Assert.Null(e.Field);
        Assert.Contains("not valid JSON", e.Message);
        Assert.Equal("x", Assert.Throws<ConfigFieldException>(() => new ConfigReader(Json("[1]"), "x")).Source);
    }

    [Fact]
    public void Absent_and_null_fields_take_the_default_and_integral_numbers_are_integers()
    {
        var r = new ConfigReader(Json("""{"a": null, "b": 768.0, "c": [1, 2], "d": 3}"""), "test");
        Assert.Equal(7, r.Int("a", 7));
        Assert.Equal(7, r.Int("missing", 7));
        Assert.Equal(768, r.Int("b", 0));
        Assert.Equal([1, 2], r.Ints("c", 2, [0, 0]));
        Assert.Equal([3, 3], r.Ints("d", 2, [0, 0]));
        Assert.Equal("c", Assert.Throws<ConfigFieldException>(() => r.Ints("c", 3, [0, 0, 0])).Field);
        Assert.Equal("missing", Assert.Throws<ConfigFieldException>(() => r.RequiredInt("missing")).Field);
        Assert.Equal("b", Assert.Throws<ConfigFieldException>(() => r.Bool("b", false)).Field);
    }

    [Fact]
    public void Unknown_keys_are_named_with_the_known_ones()
    {
        var r = new ConfigReader(Json("""{"depth": 2, "hidden_sise": 64, "widht": 3}"""), "params");
        var e = Assert.Throws<ConfigFieldException>(() => r.RejectUnknown(["depth", "hidden_size"], "LightningDiT"));
        Assert.Equal("hidden_sise", e.Field);
        Assert.Contains("widht", e.Message);
        Assert.Contains("known: depth, hidden_size", e.Message);
    }
}
