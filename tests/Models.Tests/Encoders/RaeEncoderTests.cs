using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Rae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>RAE encode: resize rule, 256/512 pipelines, token layout, noise augmentation.</summary>
public class RaeEncoderTests
{
    static Dinov2withNorm TinyDino()
    {
        manual_seed(7);
        var config = new Dinov2WithRegistersConfig(HiddenSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, ImageSize: 70, PatchSize: 14, NumRegisterTokens: 4);
        var model = new Dinov2WithRegistersModel(config);
        model.eval();
        return new Dinov2withNorm(model);
    }

    [Fact]
    public void The_resize_is_skipped_when_the_images_already_have_the_encoder_size()
    {
        using var scope = NewDisposeScope();
        var encoder = new RaeEncoder(TinyDino(), new RaeEncoderOptions(56));
        var images = rand(2, 3, 56, 56);
        Assert.True(EncoderTestData.Identical(encoder.PrepareInput(images), PixelNormalization.ImageNet.Normalize(images)));
    }

    [Theory]
    [InlineData(64, 56, 4)]   // the 256 → 224 pipeline, scaled down
    [InlineData(128, 112, 8)] // the 512 → 448 pipeline, scaled down
    public void The_images_are_resized_bicubically_without_antialias_and_give_a_square_latent(int imageSize, int encoderSize, int grid)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wrapper = TinyDino();
        var encoder = new RaeEncoder(wrapper, new RaeEncoderOptions(encoderSize));
        encoder.eval();
        var images = rand(2, 3, imageSize, imageSize);
        var expected = nn.functional.interpolate(images, [encoderSize, encoderSize], mode: InterpolationMode.Bicubic, align_corners: false);
        Assert.True(EncoderTestData.Identical(encoder.PrepareInput(images), PixelNormalization.ImageNet.Normalize(expected)));
        var z = encoder.Encode(images);
        Assert.Equal([2L, wrapper.HiddenSize, grid, grid], z.shape);
        Assert.Equal(grid, encoder.LatentGridSize);
    }

    [Fact]
    public void Token_n_lands_at_row_n_div_w_and_column_n_mod_w()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => RaeEncoder.ToGrid(zeros(2, 12, 3))); // 12 tokens: not a square grid
        var t = arange(16 * 2, dtype: ScalarType.Float32).reshape(1, 16, 2);
        var grid = RaeEncoder.ToGrid(t);
        for (int n = 0; n < 16; n++)
            for (int ch = 0; ch < 2; ch++)
                Assert.Equal(t[0, n, ch].item<float>(), grid[0, ch, n / 4, n % 4].item<float>());
    }

    [Fact]
    public void Noise_augmentation_applies_only_in_training_and_is_reproducible_with_a_seeded_generator()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var encoder = new RaeEncoder(TinyDino(), new RaeEncoderOptions(56, NoiseTau: 0.8));
        var images = rand(2, 3, 56, 56);
        encoder.eval();
        var clean = encoder.Encode(images);
        Assert.True(EncoderTestData.Identical(encoder.Encode(images), clean));

        encoder.train();
        encoder.NoiseGenerator = new Generator(123);
        var first = encoder.Encode(images);
        encoder.NoiseGenerator = new Generator(123);
        var second = encoder.Encode(images);
        Assert.False(first.allclose(clean));
        Assert.True(EncoderTestData.Identical(first, second));
    }

    [Theory]
    [InlineData(NoiseSigmaDistribution.Uniform)]
    [InlineData(NoiseSigmaDistribution.HalfNormal)]
    public void Each_sample_gets_one_sigma_drawn_from_the_chosen_distribution(NoiseSigmaDistribution distribution)
    {
        using var scope = NewDisposeScope();
        const double tau = 0.8;
        var encoder = new RaeEncoder(TinyDino(), new RaeEncoderOptions(56, tau, distribution));
        encoder.NoiseGenerator = new Generator(5);
        var z = zeros(3, 16, 4, 4);
        var noised = encoder.AddNoise(z);

        var g = new Generator(5);
        var draw = distribution == NoiseSigmaDistribution.Uniform ? rand([3, 1, 1, 1], generator: g) : randn([3, 1, 1, 1], generator: g).abs();
        var eps = randn(z.shape, generator: g);
        Assert.True(noised.allclose(draw * tau * eps, rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void Options_are_read_from_the_official_parameter_names()
    {
        var json = System.Text.Json.JsonDocument.Parse("""{"encoder_input_size": 448, "noise_tau": 0.8, "reshape_to_2d": true, "noise_distribution": "half_normal"}""").RootElement;
        Assert.Equal(new RaeEncoderOptions(448, 0.8, NoiseSigmaDistribution.HalfNormal, true), RaeEncoderOptions.FromJson(json));
        var bad = System.Text.Json.JsonDocument.Parse("""{"encoder_input_size": 224, "noise_tau": -1}""").RootElement;
        Assert.Equal("noise_tau", Assert.Throws<ConfigFieldException>(() => RaeEncoderOptions.FromJson(bad)).Field);
    }

    [Fact]
    public void The_dinov2_position_table_is_used_as_is_when_the_grid_already_matches()
    {
        using var scope = NewDisposeScope();
        var embeddings = TinyDino().encoder.embeddings;
        Assert.True(EncoderTestData.Identical(embeddings.InterpolatePosEncoding(25, 70, 70), embeddings.position_embeddings));
        Assert.Equal([1L, 17, 16], embeddings.InterpolatePosEncoding(16, 56, 56).shape);
    }

    [Fact]
    public void The_state_dict_nests_the_encoder_as_the_official_module_does()
    {
        using var scope = NewDisposeScope();
        var encoder = new RaeEncoder(TinyDino(), new RaeEncoderOptions(56));
        var keys = encoder.state_dict().Keys.ToList();
        Assert.Contains("encoder.encoder.embeddings.register_tokens", keys);
        Assert.All(keys, k => Assert.StartsWith("encoder.encoder.", k));
    }
}
