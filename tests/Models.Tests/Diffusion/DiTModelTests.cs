using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Tests.Golden;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Diffusion;

public class DiTModelTests(ITestOutputHelper output)
{
    [Fact]
    public void DiTDH_state_dict_uses_the_official_key_names()
    {
        var keys = new DiTDH(TinyModels.DiTDHConfig).state_dict().Keys.ToHashSet();
        foreach (var k in new[] { "s_embedder.proj.weight", "x_embedder.proj.bias", "s_projector.weight", "pos_embed",
                     "enc_feat_rope.freqs_cos", "dec_feat_rope.freqs_sin", "t_embedder.W", "t_embedder.mlp.2.weight",
                     "y_embedder.embedding_table.weight", "blocks.0.adaLN_modulation.1.weight", "blocks.1.mlp.w12.weight",
                     "blocks.1.attn.qkv.bias", "final_layer.norm_final.weight", "final_layer.adaLN_modulation.1.bias" })
            Assert.Contains(k, keys);
        // embedders 2+2, projector 2, pos_embed 1, t_embedder 5, y_embedder 1, RoPE 2+2, two blocks of 12, final layer 5
        Assert.Equal(2 + 2 + 2 + 1 + 5 + 1 + 2 + 2 + 2 * 12 + 5, keys.Count);
    }

    [Fact]
    public void Equal_widths_make_the_s_projector_an_identity_without_parameters()
    {
        var model = new DiTDH(TinyModels.DiTDHConfig with { HiddenSize = [16, 16] });
        Assert.Null(model.s_projector);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("s_projector"));
    }

    [Fact]
    public void Checkpoint_of_another_width_is_rejected_naming_the_mis_shaped_keys()
    {
        var source = new DiTDH(TinyModels.DiTDHConfig).state_dict();
        var target = new DiTDH(TinyModels.DiTDHConfig with { HiddenSize = [24, 32], NumHeads = [2, 2] });
        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(target, source, "tiny"));
        Assert.Contains(e.MisShaped, m => m.StartsWith("s_embedder.proj.weight"));
    }

    [Fact]
    public void Velocity_has_the_shape_of_the_latent()
    {
        var model = TinyModels.DiTDH();
        using var _ = no_grad();
        var v = model.Velocity(randn(3, 8, 4, 4), tensor(new[] { 0.1f, 0.5f, 0.9f }), tensor(new long[] { 0, 4, 5 }));
        Assert.Equal(new long[] { 3, 8, 4, 4 }, v.shape);
    }

    [Fact]
    public void An_item_samples_bit_identically_alone_and_in_a_batch_of_three_when_integrated_item_by_item()
    {
        var model = TinyModels.DiTDH();
        var official = ClassConditionalSampler.Official(shift: 2.0, numSteps: 6);
        var sampler = new ClassConditionalSampler(official.Solver, official.Grid) { ItemByItem = true };
        long[] latent = [8, 4, 4];
        using var _ = no_grad();
        var alone = sampler.Sample(model, ItemNoise.ForItems(42, [7], latent), tensor(new long[] { 2 }), GuidanceOptions.None);
        var batch = sampler.Sample(model, ItemNoise.ForItems(42, [6, 7, 8], latent), tensor(new long[] { 1, 2, 3 }), GuidanceOptions.None);
        Assert.True(TensorAssert.BitEqual(alone[0], batch[1]), "item 7 differs between batch sizes 1 and 3");
    }

    [Fact]
    public void A_batched_item_matches_its_run_alone_to_float_rounding()
    {
        var model = TinyModels.DiTDH();
        var sampler = ClassConditionalSampler.Official(shift: 2.0, numSteps: 6);
        long[] latent = [8, 4, 4];
        using var _ = no_grad();
        var alone = sampler.Sample(model, ItemNoise.ForItems(42, [7], latent), tensor(new long[] { 2 }), GuidanceOptions.None);
        var batch = sampler.Sample(model, ItemNoise.ForItems(42, [6, 7, 8], latent), tensor(new long[] { 1, 2, 3 }), GuidanceOptions.None);
        var rel = (alone[0] - batch[1]).abs().max().item<float>() / alone.abs().max().item<float>();
        output.WriteLine($"batched vs alone: relative difference {rel:E2} (BLAS rounding depends on the batch size)");
        Assert.True(rel < 1e-5, $"relative difference {rel}");
    }

    [Fact]
    public void Item_noise_depends_only_on_seed_and_item_index()
    {
        long[] latent = [8, 4, 4];
        Assert.True(TensorAssert.BitEqual(ItemNoise.ForItem(1, 3, latent), ItemNoise.ForItems(1, [5, 3], latent)[1]));
        Assert.False(TensorAssert.BitEqual(ItemNoise.ForItem(1, 3, latent), ItemNoise.ForItem(1, 4, latent)));
        Assert.False(TensorAssert.BitEqual(ItemNoise.ForItem(1, 3, latent), ItemNoise.ForItem(2, 3, latent)));
    }

    [Fact]
    public void DiTDH_in_bf16_stays_close_to_fp32()
    {
        // The golden DiT-DH (random weights at unit scale) in bf16 against fp32: one bf16 ulp is 2^-8 ≈ 3.9e-3.
        var c = new GoldenCase(Path.Combine(GoldenCase.Root, "ditdh"));
        var model = Golden.Runners.DiTDHRunner.LoadModel(c);
        var io = c.Read("io.safetensors");
        using var _ = no_grad();
        Tensor x = io["in.x"], t = io["in.t"], y = io["in.y"];
        var reference = model.forward(x, t, y);
        model.to(ScalarType.BFloat16);
        var v = model.forward(x.to(ScalarType.BFloat16), t, y);
        Assert.Equal(ScalarType.BFloat16, v.dtype);
        var rel = (v.to(ScalarType.Float32) - reference).abs().max().item<float>() / reference.abs().max().item<float>();
        var rms = ((v.to(ScalarType.Float32) - reference).pow(2).mean().sqrt() / reference.pow(2).mean().sqrt()).item<float>();
        output.WriteLine($"bf16 vs fp32 velocity: max-abs relative error {rel:E2}, relative RMS error {rms:E2}");
        Console.WriteLine($"BF16 ditdh velocity: max-abs rel {rel:E2}, rel RMS {rms:E2}");
        Assert.True(rel < 5e-2, $"bf16 relative error {rel}");
    }
}
