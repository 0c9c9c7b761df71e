using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Decoders;

public class GeneralDecoderCheckpointTests
{
    static Dictionary<string, Tensor> CheckpointOf(GeneralDecoder d) =>
        d.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    [Fact]
    public void State_dict_has_the_official_key_names()
    {
        using var scope = NewDisposeScope();
        var keys = TinyDecoder.Build().state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "decoder_embed.weight", "decoder_embed.bias", "decoder_pos_embed", "trainable_cls_token",
            "decoder_layers.1.attention.attention.query.weight", "decoder_layers.1.attention.attention.key.bias",
            "decoder_layers.1.attention.attention.value.weight", "decoder_layers.1.attention.output.dense.weight",
            "decoder_layers.1.intermediate.dense.weight", "decoder_layers.1.output.dense.bias",
            "decoder_layers.1.layernorm_before.weight", "decoder_layers.1.layernorm_after.bias",
            "decoder_norm.weight", "decoder_norm.bias", "decoder_pred.weight", "decoder_pred.bias",
        ];
        foreach (var k in expected) Assert.Contains(k, keys);
        Assert.Equal(4 + 16 * 2 + 4, keys.Count);
    }

    [Fact]
    public void Position_table_is_a_fixed_sincos_grid_with_a_zero_cls_row()
    {
        using var scope = NewDisposeScope();
        var d = new GeneralDecoder(TinyDecoder.Config(numPatches: 16));
        Assert.False(d.decoder_pos_embed.requires_grad);
        Assert.Equal(new long[] { 1, 17, 16 }, d.decoder_pos_embed.shape);
        Assert.True(d.decoder_pos_embed[0, 0].eq(0).all().item<bool>());
        Assert.True(d.decoder_pos_embed[0].Equals(SinCosPositionEmbedding.Build(16, 4, clsToken: true)));
        Assert.True(d.trainable_cls_token.eq(0).all().item<bool>());
    }

    [Fact]
    public void Checkpoint_without_trainable_cls_token_loads_and_the_token_stays_zero()
    {
        using var scope = NewDisposeScope();
        var checkpoint = CheckpointOf(TinyDecoder.Build(seed: 1));
        checkpoint.Remove("trainable_cls_token");
        var d = new GeneralDecoder(TinyDecoder.Config());

        d.LoadCheckpoint(checkpoint, "model.pt");

        Assert.True(d.trainable_cls_token.eq(0).all().item<bool>());
        Assert.True(d.decoder_pred.weight!.Equals(checkpoint["decoder_pred.weight"]));
    }

    [Fact]
    public void Checkpoint_with_trainable_cls_token_loads_it()
    {
        using var scope = NewDisposeScope();
        var checkpoint = CheckpointOf(TinyDecoder.Build(seed: 2));
        var d = new GeneralDecoder(TinyDecoder.Config());
        d.LoadCheckpoint(checkpoint, "model.pt");
        Assert.True(d.trainable_cls_token.Equals(checkpoint["trainable_cls_token"]));
        Assert.True(d.decoder_pos_embed.Equals(checkpoint["decoder_pos_embed"]));
    }

    [Theory]
    [InlineData("decoder_pos_embed")]
    [InlineData("decoder_layers.1.output.dense.bias")]
    [InlineData("decoder_norm.weight")]
    public void Checkpoint_missing_any_other_key_raises_an_error_naming_it(string key)
    {
        using var scope = NewDisposeScope();
        var checkpoint = CheckpointOf(TinyDecoder.Build());
        checkpoint.Remove(key);
        checkpoint.Remove("trainable_cls_token");
        var d = new GeneralDecoder(TinyDecoder.Config());

        var e = Assert.Throws<StateDictMismatchException>(() => d.LoadCheckpoint(checkpoint, "model.pt"));

        Assert.Equal([key], e.Missing);
        Assert.Contains(key, e.Message);
        Assert.Contains("model.pt", e.Message);
    }

    [Fact]
    public void Checkpoint_for_another_token_grid_raises_a_shape_error_on_the_position_table()
    {
        using var scope = NewDisposeScope();
        var checkpoint = CheckpointOf(TinyDecoder.Build(numPatches: 64));
        var d = new GeneralDecoder(TinyDecoder.Config(numPatches: 16));
        var e = Assert.Throws<StateDictMismatchException>(() => d.LoadCheckpoint(checkpoint, "model.pt"));
        Assert.Contains(e.MisShaped, s => s.StartsWith("decoder_pos_embed"));
    }
}
