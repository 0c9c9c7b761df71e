using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Golden case <c>t2i/scale_rae_t2i</c> (README Addendum 3, A3.3): the whole <see cref="ScaleRaeT2IModel"/> from
/// <c>in.input_ids</c> — LLM with latent queries → cond_z → per-token LightningDiT velocity, CFG, the Euler and official
/// samplers, the sample read back through <c>mm_projector</c>. Every <c>out.*</c> is computed through that full path,
/// never from stored intermediates; a few extra rows start from the stored tensors to localise a failure.
/// </summary>
public sealed class ScaleRaeT2IRunner : IGoldenCaseRunner
{
    private const double Rtol = 2e-5;

    public string Case => "scale_rae_t2i";

    /// <summary>The model of the case, loaded strictly from its one state dict.</summary>
    internal static ScaleRaeT2IModel Load(GoldenCase c) => ScaleRaeT2IModel.Load(c["hf_config"],
        ScaleRaeDiTConfig.FromJson(c["lightningdit_params"], "scale_rae_t2i/config.json lightningdit_params"),
        c.Read("weights.safetensors"), c.PathOf("weights.safetensors"));

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        using var _ = no_grad();
        var model = Load(c);
        var io = c.Read("io.safetensors");
        var ids = io["in.input_ids"];
        var dit = model.Head.diff_head.model;

        var cond = model.Condition(ids);
        yield return new("io:mid.query_hidden_states", cond.QueryHiddenStates, io["mid.query_hidden_states"], Rtol);
        yield return new("io:mid.next_token_logits", cond.NextTokenLogits, io["mid.next_token_logits"], Rtol);
        yield return new("io:out.cond_z", cond.CondZ, io["out.cond_z"], Rtol);
        yield return new("io:out.cond_z (from mid.query_hidden_states)", model.Head.forward(io["mid.query_hidden_states"]), io["out.cond_z"], Rtol);

        var (x, t, z) = (io["in.x_t"], io["in.t"], cond.CondZ);
        yield return new("io:in.t_embedder_W (rebuilt from seed)", tensor(ScaleRaeTimeEmbedding.BuildW()), io["in.t_embedder_W"], 0);
        var tEmb = dit.t_embedder.forward(t);
        yield return new("io:mid.t_emb", tEmb, io["mid.t_emb"], Rtol);
        yield return new("io:mid.c", dit.Condition(tEmb, z), io["mid.c"], Rtol);
        yield return new("io:out.velocity", dit.forward(x, t, z), io["out.velocity"], Rtol);
        yield return new("io:out.velocity (from stored out.cond_z)", dit.forward(x, t, io["out.cond_z"]), io["out.velocity"], Rtol);
        yield return new("io:mid.velocity_uncond", dit.UnconditionalVelocity(x, t, z), io["mid.velocity_uncond"], Rtol);
        var scale = c["cfg_scale"].GetDouble();
        yield return new("io:out.cfg_velocity", dit.ForwardWithCfg(x, t, z, scale, ScaleRaeLightningDiT.GuidingCfgInterval), io["out.cfg_velocity"], Rtol);
        yield return new("io:out.cfg_velocity_infer_interval",
            dit.ForwardWithCfg(x, t, z, scale, ScaleRaeLightningDiT.OfficialInferCfgInterval), io["out.cfg_velocity_infer_interval"], Rtol);

        var steps = c["euler"].GetProperty("steps").GetInt32();
        yield return new("io:out.t_grid_euler", SamplingGrid.Official(steps + 1, model.Head.diff_head.Shift), io["out.t_grid_euler"], 0);
        var loop = c["official_loop"];
        var pairs = OfficialLoopSchedule.Pairs(model.Head.diff_head.Shift, loop.GetProperty("inference_step").GetInt32(),
            loop.GetProperty("diffusion_steps").GetInt32());
        yield return new("io:mid.official_loop_t_curr", tensor(pairs.Select(p => (double)p.Current).ToArray()), io["mid.official_loop_t_curr"], 0);
        yield return new("io:mid.official_loop_t_next", tensor(pairs.Select(p => (double)p.Next).ToArray()), io["mid.official_loop_t_next"], 0);

        // The samples go through the public generation API, conditioning included.
        var noise = io["in.x_T"];
        yield return new("io:out.sample_euler", model.Generate(ids, noise, steps), io["out.sample_euler"], Rtol);
        yield return new("io:out.sample_euler_cfg", model.Generate(ids, noise, steps, scale), io["out.sample_euler_cfg"], Rtol);
        var official = model.Generate(ids, noise, loop.GetProperty("inference_step").GetInt32(), sampler: ScaleRaeSampler.OfficialLoop);
        yield return new("io:out.sample_official_loop", official, io["out.sample_official_loop"], Rtol);
        yield return new("io:out.sample_official_loop_projected", model.MmProjector.forward(RectifiedFlowDiffHead.ToTokens(official)),
            io["out.sample_official_loop_projected"], Rtol);
    }
}
