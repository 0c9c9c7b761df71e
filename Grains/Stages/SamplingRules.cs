using System.Globalization;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The one rule set for a generate job's <see cref="SamplingSpec"/>, run once when the job is submitted (by a diffusion
/// stage of its bundle, which reads the bundle file only): it completes the request from the bundle's defaults, checks
/// every field, and applies the request limits; the job persists the resolved spec and every item samples with it, so
/// the stages trust it. Each problem names its field (<c>steps</c>, <c>sampler</c>, <c>guidance</c>, <c>scale</c>,
/// <c>t_min</c>, <c>t_max</c>), all in one <see cref="ArgumentException"/>.
/// <list type="bullet">
/// <item>A class request on a class-conditional bundle: its <c>sampler</c> and <c>guidance</c> sections, the rules of
/// <see cref="SamplingSettings.Resolve"/> (which the model library's own callers share).</item>
/// <item>A prompt request on a text-to-image bundle: its <c>t2i.sampler</c> (<c>euler</c> on RAE's shifted grid, or the
/// official <c>p_sample_loop</c>); classifier-free guidance with the learned null condition, no interval, no weak model.</item>
/// <item>Each kind on a bundle of the other kind is refused.</item>
/// </list>
/// <para>The guidance scale has one rule, as in the official sample.py: finite, and a scale ≤ 1 means no guidance. Its
/// lower bound is the lowest value that rule gives a meaning to for the method: class guidance (CFG, AutoGuidance)
/// extrapolates as <c>weak + scale·(strong − weak)</c>, where any scale in [0, 1] is "no guidance", so ≥ 0; Scale-RAE's
/// CFG scale is 1 for no guidance and its sampler takes nothing below, so ≥ 1. The upper bound for both is
/// <see cref="RequestLimits.MaxGuidanceScale"/>.</para>
/// </summary>
public static class SamplingRules
{
    /// <summary>Text-to-image guidance names: none, or classifier-free guidance with the learned null condition.</summary>
    public static readonly string[] TextToImageGuidances = ["none", "cfg"];

    /// <summary>Fewest steps of a text-to-image solve (the official loop needs <see cref="SamplingSettings.MinSteps"/>).</summary>
    public const int MinTextToImageSteps = 1;

    /// <summary>
    /// <paramref name="requested"/> completed from bundle <paramref name="bundleId"/>'s defaults (its <c>t2i.sampler</c>
    /// when <paramref name="prompted"/>), validated, and within <paramref name="limits"/> as requested and as resolved (a
    /// bundle default over a limit is as bad as a request over it). Throws an <see cref="ArgumentException"/> naming every
    /// bad field, or saying that the bundle is not of the request's kind.
    /// </summary>
    public static SamplingSpec Resolve(SamplingSpec requested, RaeBundle bundle, string bundleId, bool prompted, RequestLimits limits)
    {
        if (!prompted && bundle.T2I is not null)
            throw new ArgumentException($"bundle '{bundleId}' is text-to-image (it has a t2i section): give prompts, not classes");
        var over = limits.CheckSampling(requested).ToList();
        SamplingSpec resolved;
        try { resolved = prompted ? ResolvePrompted(requested, bundle, bundleId) : ResolveClass(requested, bundle); }
        catch (ArgumentException e) when (over.Count > 0) { throw new ArgumentException(string.Join("; ", [.. over, e.Message])); }
        over = [.. over.Union(limits.CheckSampling(resolved))];
        return over.Count == 0 ? resolved : throw new ArgumentException(string.Join("; ", over));
    }

    /// <summary>The model library's settings of a resolved class spec (same fields, the official YAML names).</summary>
    public static SamplingSettings SettingsOf(SamplingSpec s) => new(s.Steps, s.Sampler, s.Guidance, s.Scale, s.TMin, s.TMax);

    /// <summary>The CFG scale a resolved text-to-image spec samples with (1: none).</summary>
    public static double CfgScale(SamplingSpec s) => s.Guidance == "cfg" ? s.Scale ?? 1 : 1;

    /// <summary>The model library's sampler for a resolved text-to-image spec.</summary>
    public static ScaleRaeSampler SamplerOf(SamplingSpec s) => T2ISamplerSection.Parse(s.Sampler!);

    static SamplingSpec ResolveClass(SamplingSpec r, RaeBundle bundle)
    {
        var s = SettingsOf(r).Resolve(bundle);
        return new(s.NumSteps, s.SamplingMethod, s.GuidanceMethod, s.GuidanceScale, s.TMin, s.TMax);
    }

    static SamplingSpec ResolvePrompted(SamplingSpec r, RaeBundle bundle, string bundleId)
    {
        var t = bundle.T2I ?? throw new ArgumentException($"bundle '{bundleId}' has no t2i section: prompts need a text-to-image bundle");
        var p = new List<string>();
        var steps = r.Steps ?? t.Sampler.NumSteps;
        if (steps < MinTextToImageSteps) p.Add($"steps: must be at least {MinTextToImageSteps}, got {steps}");
        var sampler = r.Sampler ?? t.Sampler.Method;
        if (!SamplerNames.TextToImage.Contains(sampler)) p.Add($"sampler: '{sampler}' is not one of {string.Join(", ", SamplerNames.TextToImage)} (text-to-image)");
        else if (sampler == SamplerNames.OfficialLoop && steps < SamplingSettings.MinSteps) p.Add($"steps: the official loop needs at least {SamplingSettings.MinSteps}, got {steps}");
        var scale = r.Scale ?? t.Sampler.CfgScale;
        if (!double.IsFinite(scale) || scale < 1) p.Add($"scale: must be a finite number >= 1 (1: no guidance), got {scale.ToString(CultureInfo.InvariantCulture)}");
        var guidance = r.Guidance ?? (scale > 1 ? "cfg" : "none");
        if (!TextToImageGuidances.Contains(guidance)) p.Add($"guidance: '{guidance}' is not one of {string.Join(", ", TextToImageGuidances)} (text-to-image has no weak model)");
        if (r.TMin is not null || r.TMax is not null) p.Add("t_min/t_max: text-to-image guidance has no interval; leave them unset");
        // The official infer's CFG interval holds every t, so its loop returns the conditional velocity: guidance would be ignored.
        if (sampler == SamplerNames.OfficialLoop && guidance == "cfg" && scale > 1)
            p.Add("guidance: the official loop applies no guidance (as the official infer); use sampler euler for CFG");
        if (p.Count > 0) throw new ArgumentException(string.Join("; ", p));
        return new SamplingSpec(steps, sampler, guidance, guidance == "cfg" ? scale : 1.0);
    }
}
