using TorchSharp;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Layers;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Diffusion;

public class BuildingBlockTests
{
    [Fact]
    public void Rms_norm_scales_each_token_to_unit_root_mean_square()
    {
        var norm = new RMSNorm(8);
        var y = norm.forward(randn(3, 5, 8) * 7 + 1);
        var rms = y.pow(2).mean([-1]).sqrt();
        Assert.True((rms - 1).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Rms_norm_of_bf16_input_normalises_in_float32_then_casts_back()
    {
        var norm = new RMSNorm(64);
        using (no_grad()) norm.weight.copy_(rand(64) + 0.5);
        var x = randn(4, 64) * 3;
        var xb = x.to(ScalarType.BFloat16);
        var expected = ((xb.to(ScalarType.Float32) * rsqrt(xb.to(ScalarType.Float32).pow(2).mean([-1], keepdim: true) + 1e-6))
            .to(ScalarType.BFloat16) * norm.weight.to(ScalarType.BFloat16));
        norm.to(ScalarType.BFloat16);
        var y = norm.forward(xb);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.True(TensorAssert.BitEqual(y, expected));
    }

    [Theory]
    [InlineData(1152, 3072)]
    [InlineData(2048, 5461)]
    [InlineData(384, 1024)]
    [InlineData(64, 170)]
    public void Swiglu_hidden_width_is_two_thirds_of_the_mlp_width_rounded_down(int width, long hidden) =>
        Assert.Equal(hidden, SwiGLUFFN.HiddenFor(width, 4.0));

    [Fact]
    public void Swiglu_gates_with_silu_of_the_first_half()
    {
        var ffn = new SwiGLUFFN(2, 1);
        using (no_grad())
        {
            ffn.w12.weight!.copy_(tensor(new[] { 1f, 0f, 0f, 1f }).view(2, 2));
            ffn.w12.bias!.zero_();
            ffn.w3.weight!.copy_(ones(2, 1));
            ffn.w3.bias!.zero_();
        }
        var y = ffn.forward(tensor(new[] { 2f, 3f }).view(1, 2));
        var expected = 2 / (1 + MathF.Exp(-2)) * 3;
        Assert.Equal(expected, y[0, 0].item<float>(), 5);
    }

    [Fact]
    public void Label_embedder_has_a_null_row_and_drops_labels_only_in_training()
    {
        var emb = new LabelEmbedder(numClasses: 10, hiddenSize: 4, dropoutProb: 0.5);
        Assert.Equal(11, emb.embedding_table.weight!.shape[0]);
        var labels = arange(1000, dtype: ScalarType.Int64) % 10;
        Assert.True(TensorAssert.BitEqual(emb.forward(labels, train: false), emb.embedding_table.forward(labels)));

        emb.DropoutGenerator = new Generator(3);
        var dropped = emb.TokenDrop(labels);
        var fraction = (dropped == 10).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(fraction, 0.4f, 0.6f);
        emb.DropoutGenerator = new Generator(3);
        Assert.True(TensorAssert.BitEqual(emb.TokenDrop(labels), dropped), "the same seed drops the same labels");
    }

    [Fact]
    public void Per_token_conditioning_equal_on_all_tokens_matches_per_sample_conditioning()
    {
        random.manual_seed(5);
        var block = new LightningDiTBlock(16, 2);
        using (no_grad()) foreach (var p in block.parameters()) p.copy_(randn_like(p) * 0.3);
        var rope = new VisionRotaryEmbeddingFast(4, 3);
        var x = randn(2, 9, 16);
        var c = randn(2, 16);
        var perSample = block.forward(x, c, rope);
        var perToken = block.forward(x, c.unsqueeze(1).expand(2, 9, 16), rope);
        Assert.True((perSample - perToken).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Pos_embed_built_like_the_official_code_equals_the_checkpoint_table()
    {
        var c = new GoldenCase(Path.Combine(GoldenCase.Root, "ditdh"));
        using var file = SafeTensorsFile.Open(c.PathOf("weights.safetensors"));
        var table = file.Load("pos_embed");
        var built = SinCosPositionEmbedding.Build((int)table.shape[2], (int)Math.Sqrt(table.shape[1])).unsqueeze(0);
        Assert.True(TensorAssert.BitEqual(built, table));
    }
}
