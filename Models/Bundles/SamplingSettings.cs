using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// Per-request sampling choices; anything left null takes the bundle's <c>sampler</c>/<c>guidance</c> defaults.
/// </summary>
public sealed record SamplingSettings(
    int? NumSteps = null,
    string? SamplingMethod = null,
    string? GuidanceMethod = null,
    double? GuidanceScale = null,
    double? TMin = null,
    double? TMax = null)
{
    /// <summary>Fills unset fields from the bundle.</summary>
    public SamplingSettings Resolve(RaeBundle b) => new(
        NumSteps ?? b.Sampler.Params.NumSteps,
        SamplingMethod ?? b.Sampler.Params.SamplingMethod,
        GuidanceMethod ?? b.Guidance.Method,
        GuidanceScale ?? b.Guidance.Scale,
        TMin ?? b.Guidance.TMin,
        TMax ?? b.Guidance.TMax);

    /// <summary>Every problem with resolved settings (empty when valid), each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (NumSteps is < 2) p.Add($"steps: must be at least 2, got {NumSteps}");
        if (SamplingMethod is not null && !SamplerSection.Methods.Contains(SamplingMethod))
            p.Add($"sampling method: '{SamplingMethod}' is not one of {string.Join(", ", SamplerSection.Methods)}");
        if (GuidanceMethod is not null)
            try { GuidanceOptions.ParseMethod(GuidanceMethod); } catch (ArgumentException e) { p.Add(e.Message); }
        if (GuidanceScale is < 0 or double.NaN) p.Add($"guidance scale: must be >= 0, got {GuidanceScale}");
        if (TMin > TMax) p.Add($"guidance t_min ({TMin}) is greater than t_max ({TMax})");
        return p;
    }
}
