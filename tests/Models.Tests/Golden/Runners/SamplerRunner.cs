using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Golden case <c>sampler</c>: the official float32 grid, 49-step Euler sampling with no guidance, AutoGuidance and
/// CFG (sample.py batch handling), and Transport.training_losses, with the DiT-DH of ../ditdh as main model.
/// </summary>
public sealed class SamplerRunner : IGoldenCaseRunner
{
    public string Case => "sampler";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var io = c.Read("io.safetensors");
        // "main_model": "../ditdh (weights.safetensors, config.json params)"
        var mainDir = c["main_model"].GetString()!.Split(' ', 2)[0];
        var main = DiTDHRunner.LoadModel(new GoldenCase(Path.GetFullPath(Path.Combine(c.Dir, mainDir))));
        var weak = new DiTDH(DiTDHConfig.FromJson(c["weak_model_params"]));
        StateDictLoader.Load(weak, c.Read(c["weak_weights"].GetString()!), $"sampler/{c["weak_weights"].GetString()}");
        weak.eval();

        var misc = c["misc"];
        var shift = TimeShift.Factor(misc.GetProperty("time_dist_shift_dim").GetInt64(), misc.GetProperty("time_dist_shift_base").GetInt64());
        var ode = c["sampler"];
        var numSteps = ode.GetProperty("num_steps").GetInt32();
        var sampler = ClassConditionalSampler.Official(shift, numSteps, ode.GetProperty("sampling_method").GetString()!);
        yield return new("io:out.t_grid", sampler.Grid, io["out.t_grid"], 0);
        yield return new("io:out.t_grid_f64", SamplingGrid.OfficialFloat64(numSteps, shift), io["out.t_grid_f64"], rtol);

        using var _ = no_grad();
        Tensor xT = io["in.x_T"], y = io["in.y"];
        var trajIndex = io["mid.traj_index"].data<long>().ToArray();
        var traj = new Tensor[trajIndex.Length];
        var n = xT.shape[0];
        var noGuid = sampler.Sample(main, xT, y, GuidanceOptions.None, (step, state) =>
        {
            var j = Array.IndexOf(trajIndex, (long)step);
            if (j >= 0) traj[j] = state.narrow(0, 0, n).clone().DetachFromDisposeScope();
        });
        yield return new("io:out.sample_noguid", noGuid, io["out.sample_noguid"], rtol);
        yield return new("io:mid.traj_noguid", stack(traj, 0), io["mid.traj_noguid"], rtol);

        var guidance = c["guidance"];
        GuidanceOptions Options(string key, double scale, IVelocityModel? weakModel = null)
        {
            var g = guidance.GetProperty(key);
            return new GuidanceOptions(GuidanceOptions.ParseMethod(g.GetProperty("method").GetString()!), scale,
                g.GetProperty("t_min").GetDouble(), g.GetProperty("t_max").GetDouble(), weakModel);
        }
        yield return new("io:out.sample_ag", sampler.Sample(main, xT, y, Options("ag", io["in.ag_scale"].item<double>(), weak)),
            io["out.sample_ag"], rtol);
        yield return new("io:out.sample_cfg", sampler.Sample(main, xT, y, Options("cfg", io["in.cfg_scale"].item<double>())),
            io["out.sample_cfg"], rtol);

        // The stored training times are shift(u) of the stored uniforms, in float32.
        yield return new("io:in.train_t", TimeShift.Apply(io["in.train_u"], shift).to(ScalarType.Float32), io["in.train_t"], rtol);
        var terms = LinearFlowMatching.TrainingLosses(main, io["in.train_x1"], io["in.train_eps"], io["in.train_t"], io["in.train_y"]);
        yield return new("io:out.train_xt", terms.Xt, io["out.train_xt"], rtol);
        yield return new("io:out.train_ut", terms.Ut, io["out.train_ut"], rtol);
        yield return new("io:out.train_pred", terms.Prediction, io["out.train_pred"], rtol);
        yield return new("io:out.train_loss", terms.Loss, io["out.train_loss"], rtol);
    }
}
