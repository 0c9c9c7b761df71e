using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// Per-request sampling choices; a field left null takes the bundle's <c>sampler</c>/<c>guidance</c> default.
/// <see cref="Resolve"/> is the one place class-conditional settings are completed and validated: the grid's sampling
/// rules call it once when a job is submitted (so a bad value is rejected before any item runs; the stages then sample
/// with the resolved settings, which resolve to themselves), the evaluator through
/// <see cref="RaeModel.GenerateLatents(IReadOnlyList{long}, IReadOnlyList{long}, IReadOnlyList{long}, SamplingSettings?, CancellationToken)"/>,
/// and bundle validation checks the bundle's own defaults with the same rules (<see cref="Check"/>).
/// </summary>
/// <param name="NumSteps">Grid points of the ODE solve (<c>sampler.params.num_steps</c>).</param>
/// <param name="SamplingMethod">One of <see cref="SamplerNames.Ode"/> (<c>sampler.params.sampling_method</c>).</param>
/// <param name="GuidanceMethod"><c>none</c>, <c>cfg</c> or <c>autoguidance</c> (<c>guidance.method</c>).</param>
/// <param name="GuidanceScale"><c>guidance.scale</c>; ≤ 1 means no guidance.</param>
/// <param name="TMin"><c>guidance.t_min</c>.</param>
/// <param name="TMax"><c>guidance.t_max</c>.</param>
public sealed record SamplingSettings(
    int? NumSteps = null,
    string? SamplingMethod = null,
    string? GuidanceMethod = null,
    double? GuidanceScale = null,
    double? TMin = null,
    double? TMax = null)
{
    /// <summary>Fewest grid points an ODE solve can have.</summary>
    public const int MinSteps = 2;

    /// <summary>
    /// Every field filled from the bundle where unset, method names made canonical, and validated: throws an
    /// <see cref="ArgumentException"/> naming every bad field (<c>steps</c>, <c>sampler</c>, <c>guidance</c>,
    /// <c>scale</c>, <c>t_min</c>, <c>t_max</c>). Resolving resolved settings returns equal settings.
    /// </summary>
    public SamplingSettings Resolve(RaeBundle bundle)
    {
        var resolved = new SamplingSettings(
            NumSteps ?? bundle.Sampler.Params.NumSteps,
            (SamplingMethod ?? bundle.Sampler.Params.SamplingMethod).ToLowerInvariant(),
            (GuidanceMethod ?? bundle.Guidance.Method).ToLowerInvariant(),
            GuidanceScale ?? bundle.Guidance.Scale,
            TMin ?? bundle.Guidance.TMin,
            TMax ?? bundle.Guidance.TMax);
        var problems = resolved.Check(bundle.Guidance.GuidanceModel is not null).Select(p => $"{p.Field}: {p.Problem}").ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var method = FlowMatching.GuidanceOptions.ParseMethod(resolved.GuidanceMethod!);
        return resolved with { GuidanceMethod = FlowMatching.GuidanceOptions.NameOf(method) };
    }

    /// <summary>
    /// Every problem with the set fields, as (field, why), the fields named as in a request: <c>steps</c>,
    /// <c>sampler</c>, <c>guidance</c>, <c>scale</c>, <c>t_min</c>, <c>t_max</c>. Guidance rules are
    /// <see cref="GuidanceOptions.Check"/>'s, checked once the method, scale and interval are all set.
    /// </summary>
    public IReadOnlyList<(string Field, string Problem)> Check(bool hasWeakModel)
    {
        var p = new List<(string, string)>();
        if (NumSteps is { } n && n < MinSteps) p.Add(("steps", $"must be at least {MinSteps}, got {n}"));
        if (SamplingMethod is { } s && !SamplerNames.Ode.Contains(s.ToLowerInvariant()))
            p.Add(("sampler", $"'{s}' is not one of {string.Join(", ", SamplerNames.Ode)}"));
        FlowMatching.GuidanceMethod? method = null;
        if (GuidanceMethod is { } g)
            try { method = FlowMatching.GuidanceOptions.ParseMethod(g); }
            catch (ArgumentException e) { p.Add(("guidance", e.Message)); }
        // A bad method name does not hide a bad scale or interval: those are checked as for no guidance.
        if (GuidanceScale is { } scale && TMin is { } tMin && TMax is { } tMax)
            p.AddRange(FlowMatching.GuidanceOptions.Check(method ?? FlowMatching.GuidanceMethod.None, scale, tMin, tMax, hasWeakModel)
                .Select(x => (x.Field == "method" ? "guidance" : x.Field, x.Problem)));
        return p;
    }

}
