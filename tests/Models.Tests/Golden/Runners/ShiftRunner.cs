using System.Globalization;
using System.Text.RegularExpressions;
using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>Golden case <c>shift</c>: shift factors, shifted times, official float32 grids, logit-normal times.</summary>
public sealed partial class ShiftRunner : IGoldenCaseRunner
{
    public string Case => "shift";

    [GeneratedRegex(@"(mu|sigma|low|high)\s*=\s*([-+0-9.eE]+)")]
    private static partial Regex Assignment();

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var io = c.Read("io.safetensors");
        var ms = io["in.m"].data<long>().ToArray();
        var shifts = ms.Select(m => TimeShift.Factor(m)).ToArray();
        yield return new("io:out.shift", tensor(shifts, ScalarType.Float64), io["out.shift"], rtol);

        var t = io["in.t"];
        yield return new("io:out.t_shifted", stack(shifts.Select(s => TimeShift.Apply(t, s)).ToArray(), 0), io["out.t_shifted"], rtol);

        // The official grid is float32 and reproducible bit for bit.
        var grids = stack(shifts.Select(s => SamplingGrid.Official(SamplingGrid.OfficialSteps, s)).ToArray(), 0);
        yield return new("io:out.t_grid50_official_f32", grids, io["out.t_grid50_official_f32"], 0);

        // truncated_logitnormal_sample(mu, sigma, low, high) with the stored uniforms; parameters from the config text.
        var p = new Dictionary<string, double> { ["mu"] = 0, ["sigma"] = 1, ["low"] = 0, ["high"] = SamplingGrid.OfficialT1 };
        if (c.Config.TryGetProperty("lognorm", out var text))
            foreach (Match m in Assignment().Matches(text.GetString() ?? ""))
                p[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var sampler = new LogitNormalTimeSampler(p["mu"], p["sigma"], p["low"], p["high"]);
        var lognorm = sampler.FromUniform(io["in.lognorm_u"]);
        yield return new("io:out.lognorm_t", lognorm, io["out.lognorm_t"], rtol);
        yield return new("io:out.lognorm_t_shifted", stack(shifts.Select(s => TimeShift.Apply(lognorm, s)).ToArray(), 0),
            io["out.lognorm_t_shifted"], rtol);
    }
}
