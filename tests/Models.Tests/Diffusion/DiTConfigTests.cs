using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;

namespace RAE.Grid.Models.Tests.Diffusion;

public class DiTConfigTests
{
    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void DiTDH_params_parse_pairs_and_single_head_counts()
    {
        var c = DiTDHConfig.FromJson(Json("""{"input_size": 16, "in_channels": 768, "hidden_size": [384, 2048], "depth": [12, 2], "num_heads": 16}"""));
        Assert.Equal(new[] { 384, 2048 }, c.HiddenSize);
        Assert.Equal(new[] { 16, 16 }, c.NumHeads);
        Assert.True(c.UseSwiglu && c.UseRope && c.UseRmsnorm && c.UsePosEmbed && !c.UseQkNorm && !c.WoShift);
    }

    [Fact]
    public void Width_not_divisible_by_heads_is_reported_by_field_name()
    {
        var e = Assert.Throws<ConfigFieldException>(() =>
            DiTDHConfig.FromJson(Json("""{"hidden_size": [64, 130], "depth": [1, 1], "num_heads": [4, 4]}""")));
        Assert.Equal("hidden_size[1]", e.Field);
        Assert.Contains("hidden_size[1]", e.Message);
        Assert.Contains("num_heads[1]", e.Message);
    }

    [Fact]
    public void Unknown_param_is_rejected_naming_it()
    {
        var e = Assert.Throws<ConfigFieldException>(() => LightningDiTConfig.FromJson(Json("""{"hidden_sise": 64}""")));
        Assert.Equal("hidden_sise", e.Field);
        Assert.Contains("hidden_size", e.Message); // the known keys are listed
    }

    [Fact]
    public void Wrongly_typed_param_is_reported_by_field_name() =>
        Assert.Contains("use_rope", Assert.Throws<ConfigFieldException>(() => LightningDiTConfig.FromJson(Json("""{"use_rope": "yes"}"""))).Message);

    [Fact]
    public void Rope_needs_a_head_width_divisible_by_four() =>
        Assert.Contains("use_rope", Assert.Throws<ConfigFieldException>(() =>
            new LightningDiTConfig { HiddenSize = 60, NumHeads = 6 }.Validated()).Message);

    [Fact]
    public void Presets_have_the_paper_sizes()
    {
        var xl = DiTDHConfig.Preset("DiTDH-XL");
        Assert.Equal(new[] { 1152, 2048 }, xl.HiddenSize);
        Assert.Equal(new[] { 28, 2 }, xl.Depth);
        Assert.Equal(new[] { 16, 16 }, xl.NumHeads);
        var s = DiTDHConfig.Preset("DiTDH-S", inputSize: 32);
        Assert.Equal(new[] { 384, 2048 }, s.HiddenSize);
        Assert.Equal(new[] { 12, 2 }, s.Depth);
        Assert.Equal(new[] { 6, 16 }, s.NumHeads);
        Assert.Equal(32, s.InputSize);
        Assert.Equal((384, 12, 6), Triple(LightningDiTConfig.Preset("S")));
        Assert.Equal((768, 12, 12), Triple(LightningDiTConfig.Preset("B")));
        Assert.Equal((1024, 24, 16), Triple(LightningDiTConfig.Preset("L")));
        Assert.Equal((1152, 28, 16), Triple(LightningDiTConfig.Preset("LightningDiT-XL")));
        static (int, int, int) Triple(LightningDiTConfig c) => (c.HiddenSize, c.Depth, c.NumHeads);
    }

    [Fact]
    public void Unknown_preset_is_rejected_naming_it() =>
        Assert.Contains("DiTDH-M", Assert.Throws<ArgumentException>(() => DiTDHConfig.Preset("DiTDH-M")).Message);
}
