using RAE.Grid.Contracts;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The wire's <see cref="SamplingSpec"/> ↔ the model library's <see cref="SamplingSettings"/>: the same six optional
/// fields under the official YAML names. Resolution and validation are <see cref="SamplingSettings.Resolve"/>'s alone.
/// </summary>
public static class SamplingSpecs
{
    /// <summary>The model library's settings for a spec (null fields stay null: the bundle's defaults).</summary>
    public static SamplingSettings ToSettings(SamplingSpec s) => new(s.Steps, s.Sampler, s.Guidance, s.Scale, s.TMin, s.TMax);

    /// <summary>The spec of (resolved) settings.</summary>
    public static SamplingSpec ToSpec(SamplingSettings s) =>
        new(s.NumSteps, s.SamplingMethod, s.GuidanceMethod, s.GuidanceScale, s.TMin, s.TMax);

    /// <summary><paramref name="requested"/> resolved against <paramref name="bundle"/>; throws naming every bad field.</summary>
    public static SamplingSpec Resolve(SamplingSpec requested, RaeBundle bundle) => ToSpec(ToSettings(requested).Resolve(bundle));
}
