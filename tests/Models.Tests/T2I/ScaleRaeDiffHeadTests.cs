using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Tests.Golden;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>
/// The diffusion head on its own, on the <c>t2i/scale_rae_t2i</c> weights: what the option it exposes changes and how it
/// loads from a whole checkpoint. Its numbers are checked by the golden runner (<c>ScaleRaeT2IRunner</c>).
/// </summary>
public sealed class ScaleRaeDiffHeadTests(ITestOutputHelper output)
{
    private static string CaseDir => System.IO.Path.Combine(GoldenCase.Root, "t2i", "scale_rae_t2i");

    private static (ScaleRaeDiffusionHead Head, GoldenCase Case, Dictionary<string, Tensor> Weights) Load()
    {
        var c = new GoldenCase(CaseDir);
        var config = ScaleRaeDiTConfig.FromJson(c["lightningdit_params"], "scale_rae_t2i/config.json lightningdit_params");
        var head = new ScaleRaeDiffusionHead(c["hf_config"].GetProperty("hidden_size").GetInt32(), config);
        var weights = c.Read("weights.safetensors");
        head.Load(weights, "t2i/scale_rae_t2i/weights.safetensors");
        return (head, c, weights);
    }

    [Fact]
    public void Single_SiLU_option_is_what_the_reference_is_sensitive_to()
    {
        // cond_silu=false gives c = t_emb + cond (one SiLU, in the adaLN): not the released behaviour, and the case pins
        // that (Addendum 3 sensitivity: 0.18 relative on out.velocity).
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = new GoldenCase(CaseDir);
        var config = ScaleRaeDiTConfig.FromJson(c["lightningdit_params"]) with { CondSilu = false };
        var head = new ScaleRaeDiffusionHead(c["hf_config"].GetProperty("hidden_size").GetInt32(), config);
        head.Load(c.Read("weights.safetensors"), "t2i/scale_rae_t2i/weights.safetensors");
        var io = c.Read("io.safetensors");
        var v = head.diff_head.model.forward(io["in.x_t"], io["in.t"], io["out.cond_z"]);
        var rel = (v - io["out.velocity"]).abs().max().item<float>() / io["out.velocity"].abs().max().item<float>();
        output.WriteLine($"cond_silu=false: out.velocity relative deviation {rel:E2}");
        Assert.True(rel > 0.05, $"one SiLU should move out.velocity visibly, moved {rel:E2}");
    }

    [Fact]
    public void Loading_skips_only_the_LLM_keys_and_names_every_other_problem()
    {
        var (head, _, weights) = Load();
        var llm = weights.Keys.Count(k => ScaleRaeDiffusionHead.LlmPrefixes.Any(p => k.StartsWith(p)));
        Assert.Equal(weights.Count - llm, head.state_dict().Count);
        Assert.DoesNotContain(head.state_dict().Keys, k => k.Contains("t_embedder.W"));

        var broken = new Dictionary<string, Tensor>(weights);
        broken.Remove("diff_head.model.pos_embed");
        broken["diff_head.model.extra"] = zeros(1);
        broken["diff_head_projector.bias"] = zeros(3);
        var e = Assert.Throws<StateDictMismatchException>(() => head.Load(broken, "broken"));
        Assert.Contains("diff_head.model.pos_embed", e.Message);
        Assert.Contains("diff_head.model.extra", e.Message);
        Assert.Contains("diff_head_projector.bias", e.Message);
    }
}
