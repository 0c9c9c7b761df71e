using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Decoders;

public class GeneralDecoderForwardTests
{
    [Fact]
    public void Output_has_one_patch_vector_per_token_without_cls()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = TinyDecoder.Build();
        var logits = d.forward(randn(3, 16, 8));
        Assert.Equal(new long[] { 3, 16, 2 * 2 * 3 }, logits.shape);
    }

    [Fact]
    public void Drop_cls_token_discards_the_first_input_token()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = TinyDecoder.Build();
        var tokens = randn(2, 17, 8);
        var dropped = d.Forward(tokens, dropClsToken: true);
        var plain = d.Forward(tokens[.., 1..], dropClsToken: false);
        Assert.True(dropped.allclose(plain, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Tokens_are_not_permutation_invariant_because_positions_are_added()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = TinyDecoder.Build();
        var tokens = randn(1, 16, 8);
        var flipped = tokens.flip(1);
        Assert.False(d.forward(tokens).allclose(d.forward(flipped).flip(1), rtol: 0, atol: 1e-4));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(4)]
    public void Other_token_grids_are_resized_bilinearly_to_the_decoder_grid(int tokenCount)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = TinyDecoder.Build(numPatches: 16);
        // A constant token grid stays constant under bilinear resizing, so the output equals the 16-token one.
        var token = randn(2, 1, 8);
        var resized = d.forward(token.expand(2, tokenCount, 8));
        var native = d.forward(token.expand(2, 16, 8));
        Assert.Equal(native.shape, resized.shape);
        Assert.True(resized.allclose(native, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Interpolate_latent_matches_a_hand_computed_bilinear_downsize()
    {
        using var scope = NewDisposeScope();
        var d = TinyDecoder.Build(numPatches: 4); // 2x2 grid
        // A 4x4 grid of scalars 0..15; align_corners=False 2x downsizing averages each 2x2 block.
        var x = arange(16, ScalarType.Float32).reshape(1, 16, 1);
        var y = d.InterpolateLatent(x).flatten();
        Assert.Equal(new float[] { 2.5f, 4.5f, 10.5f, 12.5f }, y.data<float>().ToArray());
    }

    [Fact]
    public void A_token_count_that_is_not_a_square_grid_is_rejected()
    {
        using var scope = NewDisposeScope();
        var d = TinyDecoder.Build();
        Assert.Throws<ArgumentException>(() => d.forward(randn(1, 15, 8)));
    }
}
