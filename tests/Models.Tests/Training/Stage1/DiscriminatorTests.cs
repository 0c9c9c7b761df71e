using RAE.Grid.Training.Stage1;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage1;

public class DiscriminatorTests
{
    [Fact]
    public void Discriminator_gives_one_logit_per_token_and_head()
    {
        using var encoder = ToyMae.Create(layers: 2);
        random.manual_seed(3);
        using var disc = new EncoderFeatureDiscriminator(new FrozenMaeFeatures(encoder));
        using var x = rand([8, 3, 28, 28]);
        using var logits = disc.forward(x);
        Assert.Equal([8L, 3 * 16], logits.shape); // 2 layers + the final normed output, 16 tokens each
        Assert.DoesNotContain(disc.state_dict().Keys, k => k.Contains("embeddings") || k.Contains("encoder"));
        Assert.Contains("heads.0.main.1.fn.0.weight_orig", disc.state_dict().Keys);
    }

    [Fact]
    public void Spectral_norm_scales_the_weight_to_unit_largest_singular_value()
    {
        random.manual_seed(4);
        using var conv = new SpectralConv1d(6, 5, 3);
        conv.train();
        for (int i = 0; i < 50; i++) conv.NormalizedWeight().Dispose();
        using var w = conv.NormalizedWeight();
        using var sigma = linalg.matrix_norm(w.reshape(5, -1), 2);
        Assert.Equal(1.0, sigma.item<float>(), 3);
    }

    [Fact]
    public void Local_batch_norm_normalizes_each_virtual_batch_separately()
    {
        using var bn = new BatchNormLocal(2, virtualBatchSize: 2);
        using var x = cat([randn(2, 2, 5) * 3 + 1, randn(2, 2, 5) * 0.1 - 4]);
        using var y = bn.forward(x);
        foreach (var group in new[] { y[..2], y[2..] })
        {
            Assert.Equal(0.0, group.mean([0, 2]).abs().max().item<float>(), 4);
            Assert.Equal(1.0, group.var([0, 2], unbiased: false).min().item<float>(), 2);
        }
    }

    [Fact]
    public void DiffAugment_keeps_the_shape_is_seeded_and_differentiable()
    {
        using var x = rand([4, 3, 28, 28]).requires_grad_(true);
        using var a = DiffAugment.Apply(x, new Generator(5));
        using var b = DiffAugment.Apply(x, new Generator(5));
        Assert.Equal(x.shape, a.shape);
        Assert.True(TensorAssert.BitEqual(a.detach(), b.detach()));
        a.sum().backward();
        Assert.NotNull(x.grad);
    }
}
