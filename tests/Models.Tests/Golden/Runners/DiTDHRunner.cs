using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>Golden case <c>ditdh</c>: official DiTwDDTHead forward and forward_with_cfg (two intervals).</summary>
public sealed class DiTDHRunner : IGoldenCaseRunner
{
    public string Case => "ditdh";

    /// <summary>The case's model with its weights, in eval mode.</summary>
    public static DiTDH LoadModel(GoldenCase c, string weights = "weights.safetensors")
    {
        var model = new DiTDH(DiTDHConfig.FromJson(c["params"]));
        StateDictLoader.Load(model, c.Read(weights), $"{c.Name}/{weights}");
        model.eval();
        return model;
    }

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var model = LoadModel(c);
        var io = c.Read("io.safetensors");
        using var _ = no_grad();
        Tensor x = io["in.x"], t = io["in.t"], y = io["in.y"];

        var tEmb = model.t_embedder.forward(t);
        var yEmb = model.y_embedder.forward(y, false);
        yield return new("io:mid.t_emb", tEmb, io["mid.t_emb"], rtol);
        yield return new("io:mid.y_emb", yEmb, io["mid.y_emb"], 0);
        var sIn = model.Backbone(x, tEmb, nn.functional.silu(tEmb + yEmb));
        yield return new("io:mid.s_projector_input", sIn, io["mid.s_projector_input"], rtol);
        yield return new("io:out.velocity", model.forward(x, t, y), io["out.velocity"], rtol);

        // forward_with_cfg on cat([x, x]), cat([t, t]), cat([cfg_y, null]); the first half is stored.
        var cfg = c["forward_with_cfg"];
        var scale = io["in.cfg_scale"].item<double>();
        var xx = cat([x, x], 0);
        var tt = cat([t, t], 0);
        var yy = cat([io["in.cfg_y"], full_like(io["in.cfg_y"], model.NumClasses)], 0);
        var n = x.shape[0];
        var interval = cfg.GetProperty("cfg_interval").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        yield return new("io:out.cfg_velocity",
            GuidedVelocity.ForwardWithCfg(model, xx, tt, yy, scale, interval[0], interval[1]).narrow(0, 0, n),
            io["out.cfg_velocity"], rtol);
        var interval2 = io["in.cfg_interval2"];
        yield return new("io:out.cfg_velocity_interval2",
            GuidedVelocity.ForwardWithCfg(model, xx, tt, yy, scale, interval2[0].item<double>(), interval2[1].item<double>()).narrow(0, 0, n),
            io["out.cfg_velocity_interval2"], rtol);
    }
}
