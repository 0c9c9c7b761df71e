using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Tests.Golden;
using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Tests.Golden.Runners;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>
/// <see cref="ScaleRaeT2IModel"/> on the <c>t2i/scale_rae_t2i</c> weights: its state dict is exactly the official key
/// set, loading is strict across all its parts, a tied config drops <c>lm_head.weight</c>, and the generation options
/// behave as documented. The numbers are the golden runner's job (<see cref="ScaleRaeT2IRunner"/>).
/// </summary>
public class ScaleRaeT2IModelTests
{
    [Fact]
    public void The_state_dict_has_exactly_the_official_keys()
    {
        var c = GoldenCase.At("t2i/scale_rae_t2i");
        var model = ScaleRaeT2IRunner.Load(c);
        var official = c["weight_keys"].EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(official, model.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.False(model.LatentQueries.requires_grad);
    }

    [Fact]
    public void Loading_names_every_missing_unexpected_and_mis_shaped_key_of_every_part()
    {
        var c = GoldenCase.At("t2i/scale_rae_t2i");
        var dit = ScaleRaeDiTConfig.FromJson(c["lightningdit_params"]);
        var broken = c.Read("weights.safetensors");
        broken.Remove("model.latent_queries");
        broken.Remove("diff_head.model.pos_embed");
        broken["model.mm_projector.0.bias"] = zeros(3);
        broken["model.vision_tower.extra"] = zeros(1);
        var e = Assert.Throws<StateDictMismatchException>(() => ScaleRaeT2IModel.Load(c["hf_config"], dit, broken, "broken"));
        foreach (var key in new[] { "model.latent_queries", "diff_head.model.pos_embed", "model.mm_projector.0.bias", "model.vision_tower.extra" })
            Assert.Contains(key, e.Message);
    }

    [Fact]
    public void A_tied_config_uses_the_embedding_as_head_and_rejects_an_lm_head_key()
    {
        using var _ = no_grad();
        var c = GoldenCase.At("t2i/scale_rae_t2i");
        var dit = ScaleRaeDiTConfig.FromJson(c["lightningdit_params"]);
        var hf = JsonNode.Parse(c["hf_config"].GetRawText())!.AsObject();
        hf["tie_word_embeddings"] = true;
        var tiedConfig = JsonDocument.Parse(hf.ToJsonString()).RootElement;
        var weights = c.Read("weights.safetensors");
        var e = Assert.Throws<StateDictMismatchException>(() => ScaleRaeT2IModel.Load(tiedConfig, dit, weights));
        Assert.Equal(["lm_head.weight"], e.Unexpected);
        weights.Remove("lm_head.weight");
        var tied = ScaleRaeT2IModel.Load(tiedConfig, dit, weights);
        Assert.DoesNotContain("lm_head.weight", tied.state_dict().Keys);
        var h = randn(1, hf["hidden_size"]!.GetValue<long>());
        Assert.True(TensorAssert.BitEqual(tied.Llm.Logits(h), nn.functional.linear(h, weights["model.embed_tokens.weight"])));
    }

    [Fact]
    public void The_official_loop_ignores_guidance_as_the_official_infer_does_and_noise_is_seeded()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = GoldenCase.At("t2i/scale_rae_t2i");
        var model = ScaleRaeT2IRunner.Load(c);
        var ids = c.Read("io.safetensors")["in.input_ids"][..1];
        var noise = model.Noise(1, 7);
        // One latent of the diffusion head's shape: [1, in_channels, input_size, input_size].
        var dit = c["lightningdit_params"];
        var side = dit.GetProperty("input_size").GetInt64();
        Assert.Equal([1L, dit.GetProperty("in_channels").GetInt64(), side, side], noise.shape);
        Assert.True(TensorAssert.BitEqual(noise, model.Noise(1, 7)));
        var plain = model.Generate(ids, noise, 3, sampler: ScaleRaeSampler.OfficialLoop);
        var guided = model.Generate(ids, noise, 3, 3.0, ScaleRaeSampler.OfficialLoop);
        Assert.True(TensorAssert.BitEqual(plain, guided));
        Assert.False(TensorAssert.BitEqual(model.Generate(ids, noise, 2), model.Generate(ids, noise, 2, 3.0)));
    }
}
