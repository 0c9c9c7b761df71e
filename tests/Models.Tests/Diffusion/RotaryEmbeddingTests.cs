using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Diffusion;

public class RotaryEmbeddingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Rotate_half_rotates_interleaved_pairs()
    {
        var x = tensor(new[] { 1f, 2f, 3f, 4f });
        Assert.Equal(new[] { -2f, 1f, -4f, 3f }, VisionRotaryEmbeddingFast.RotateHalf(x).data<float>().ToArray());
    }

    [Fact]
    public void First_half_of_the_columns_follows_the_grid_row_and_the_second_the_column()
    {
        var (cos, _) = VisionRotaryEmbeddingFast.BuildTables(dim: 4, ptSeqLen: 3, ftSeqLen: 3);
        Assert.Equal(new long[] { 9, 8 }, cos.shape);
        // token 5 sits at row 1, column 2; frequency 0 is 1, so the angle is the index itself.
        Assert.Equal(MathF.Cos(1), cos[5, 0].item<float>(), 6);
        Assert.Equal(MathF.Cos(1), cos[5, 1].item<float>(), 6);
        Assert.Equal(MathF.Cos(2), cos[5, 4].item<float>(), 6);
        // frequency 1 is 1/10000^(2/4) = 0.01
        Assert.Equal(MathF.Cos(0.02f), cos[5, 6].item<float>(), 6);
    }

    [Theory]
    [InlineData("ditdh", "enc_feat_rope", 0)]
    [InlineData("ditdh", "dec_feat_rope", 1)]
    [InlineData("lightningdit", "feat_rope", 0)]
    public void Tables_built_in_float32_match_the_checkpoint_tables_to_one_ulp(string folder, string prefix, int part)
    {
        var c = new GoldenCase(Path.Combine(GoldenCase.Root, folder));
        using var file = SafeTensorsFile.Open(c.PathOf("weights.safetensors"));
        var p = c["params"];
        var hidden = p.GetProperty("hidden_size");
        var heads = p.GetProperty("num_heads");
        int width = hidden.ValueKind == System.Text.Json.JsonValueKind.Array ? hidden[part].GetInt32() : hidden.GetInt32();
        int h = heads.ValueKind == System.Text.Json.JsonValueKind.Array ? heads[part].GetInt32() : heads.GetInt32();
        var grid = p.GetProperty("input_size").GetInt32() / p.GetProperty("patch_size").GetInt32();
        var (cos, sin) = VisionRotaryEmbeddingFast.BuildTables(width / h / 2, grid, grid);
        // Same float32 ops as the official constructor; libtorch's float32 cos here may round a few small-angle entries
        // differently (≤ 1 ulp) from the torch build that wrote the checkpoint, which is why the tables are loaded.
        foreach (var (ours, name) in new[] { (cos, "freqs_cos"), (sin, "freqs_sin") })
        {
            var reference = file.Load($"{prefix}.{name}");
            Assert.Equal(reference.shape, ours.shape);
            var differing = (ours != reference).sum().item<long>();
            var maxDiff = (ours - reference).abs().max().item<float>();
            output.WriteLine($"{folder} {prefix}.{name}: {differing} of {reference.numel()} entries differ, max {maxDiff:E2}");
            Assert.True(maxDiff <= 6e-8, $"{name} differs by {maxDiff}");
        }
    }

    [Fact]
    public void Rope_preserves_the_norm_of_each_pair()
    {
        var rope = new VisionRotaryEmbeddingFast(dim: 4, ptSeqLen: 2);
        var q = randn(1, 2, 4, 8);
        var rotated = rope.forward(q);
        var n0 = q.view(1, 2, 4, 4, 2).pow(2).sum(-1);
        var n1 = rotated.view(1, 2, 4, 4, 2).pow(2).sum(-1);
        Assert.True((n0 - n1).abs().max().item<float>() < 1e-5);
    }
}
