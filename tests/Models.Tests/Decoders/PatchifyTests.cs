using RAE.Grid.Models.Layers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Decoders;

public class PatchifyTests
{
    [Theory]
    [InlineData(16, 3, 2, 2)]
    [InlineData(4, 3, 3, 2)]
    [InlineData(2, 1, 1, 3)]
    public void Unpatchify_puts_logit_hW_plus_w_at_pq_times_C_plus_c_into_pixel_c_hp_plus_p_wq_plus_q(int patch, int channels, int gridH, int gridW)
    {
        using var scope = NewDisposeScope();
        const int batch = 2;
        var dim = patch * patch * channels;
        var logits = arange(batch * gridH * gridW * dim, ScalarType.Float32).reshape(batch, gridH * gridW, dim);

        var image = Patchify.Unpatchify(logits, patch, channels, gridH, gridW);

        Assert.Equal(new long[] { batch, channels, gridH * patch, gridW * patch }, image.shape);
        var l = logits.data<float>().ToArray();
        var px = image.data<float>().ToArray();
        int rows = gridH * patch, cols = gridW * patch;
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
        for (int h = 0; h < gridH; h++)
        for (int p = 0; p < patch; p++)
        for (int w = 0; w < gridW; w++)
        for (int q = 0; q < patch; q++)
        {
            var token = h * gridW + w;
            var expected = l[(b * gridH * gridW + token) * dim + (p * patch + q) * channels + c];
            var actual = px[((b * channels + c) * rows + h * patch + p) * cols + w * patch + q];
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Unpatchify_defaults_to_a_square_grid()
    {
        using var scope = NewDisposeScope();
        var logits = randn(1, 9, 2 * 2 * 3);
        Assert.Equal(new long[] { 1, 3, 6, 6 }, Patchify.Unpatchify(logits, 2).shape);
        Assert.Throws<ArgumentException>(() => Patchify.Unpatchify(randn(1, 6, 12), 2));
    }

    [Theory]
    [InlineData(1, 8, 4)]   // the DiTs' usual patch 1 over a 4×4 latent of width 8
    [InlineData(2, 6, 3)]   // learn_sigma doubles the channels; patch 2
    public void Unpatchify_is_bit_identical_to_the_DiT_einsum_nhwpqc_to_nchpwq(int patch, int channels, int grid)
    {
        // The official DiT unpatchify: x.reshape(N, h, w, p, p, c) then einsum('nhwpqc->nchpwq') and reshape.
        using var scope = NewDisposeScope();
        var tokens = randn(2, grid * grid, patch * patch * channels);
        var official = einsum("nhwpqc->nchpwq", tokens.reshape(2, grid, grid, patch, patch, channels))
            .reshape(2, channels, grid * patch, grid * patch);
        Assert.True(Patchify.Unpatchify(tokens, patch, channels).Equals(official));
    }

    [Fact]
    public void Patchify_and_unpatchify_are_exact_inverses()
    {
        using var scope = NewDisposeScope();
        var image = randn(2, 3, 32, 48);

        var tokens = Patchify.ToPatches(image, 16);
        Assert.Equal(new long[] { 2, 6, 768 }, tokens.shape);
        Assert.True(Patchify.Unpatchify(tokens, 16, 3, 2, 3).Equals(image));

        var logits = randn(2, 6, 768);
        Assert.True(Patchify.ToPatches(Patchify.Unpatchify(logits, 16, 3, 2, 3), 16).Equals(logits));
    }

    [Fact]
    public void Patchify_rejects_images_not_divisible_by_the_patch()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => Patchify.ToPatches(zeros(1, 3, 30, 32), 16));
        Assert.Contains("multiples of 16", e.Message);
    }
}
