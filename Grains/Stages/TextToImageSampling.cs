using System.Globalization;
using RAE.Grid.Contracts;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// A prompted job's <see cref="SamplingSpec"/> against a text-to-image bundle's <c>t2i.sampler</c>: <c>steps</c>,
/// <c>sampler</c> (<c>euler</c> on RAE's shifted grid, or the official <c>p_sample_loop</c>), and classifier-free
/// guidance with the learned null condition (<c>guidance</c> none or cfg, <c>scale</c>). Scale-RAE's guidance has no
/// interval and no weak model, so <c>t_min</c>, <c>t_max</c> and autoguidance are refused, naming the field.
/// </summary>
public static class TextToImageSampling
{
    /// <summary>Guidance names: none, or classifier-free guidance with the learned null condition.</summary>
    public static readonly string[] Guidances = ["none", "cfg"];

    /// <summary><paramref name="r"/> completed from <paramref name="bundle"/>'s <c>t2i.sampler</c>; throws naming every bad field.</summary>
    public static SamplingSpec Resolve(SamplingSpec r, RaeBundle bundle, string bundleId)
    {
        var t = bundle.T2I ?? throw new ArgumentException($"bundle '{bundleId}' has no t2i section: prompts need a text-to-image bundle");
        var p = new List<string>();
        var steps = r.Steps ?? t.Sampler.NumSteps;
        if (steps < 1) p.Add($"steps: must be at least 1, got {steps}");
        var sampler = r.Sampler ?? t.Sampler.Method;
        if (!SamplerNames.TextToImage.Contains(sampler)) p.Add($"sampler: '{sampler}' is not one of {string.Join(", ", SamplerNames.TextToImage)} (text-to-image)");
        else if (sampler == SamplerNames.OfficialLoop && steps < 2) p.Add($"steps: the official loop needs at least 2, got {steps}");
        var scale = r.Scale ?? t.Sampler.CfgScale;
        if (!double.IsFinite(scale) || scale < 1) p.Add($"scale: must be a finite number >= 1 (1: no guidance), got {scale.ToString(CultureInfo.InvariantCulture)}");
        var guidance = r.Guidance ?? (scale > 1 ? "cfg" : "none");
        if (!Guidances.Contains(guidance)) p.Add($"guidance: '{guidance}' is not one of {string.Join(", ", Guidances)} (text-to-image has no weak model)");
        if (r.TMin is not null || r.TMax is not null) p.Add("t_min/t_max: text-to-image guidance has no interval; leave them unset");
        // The official infer's CFG interval holds every t, so its loop returns the conditional velocity: guidance would be ignored.
        if (sampler == SamplerNames.OfficialLoop && guidance == "cfg" && scale > 1)
            p.Add("guidance: the official loop applies no guidance (as the official infer); use sampler euler for CFG");
        if (p.Count > 0) throw new ArgumentException(string.Join("; ", p));
        return new SamplingSpec(steps, sampler, guidance, guidance == "cfg" ? scale : 1.0);
    }

    /// <summary>The CFG scale a resolved spec samples with (1: none).</summary>
    public static double CfgScale(SamplingSpec s) => s.Guidance == "cfg" ? s.Scale ?? 1 : 1;

    /// <summary>The model library's sampler for a resolved spec.</summary>
    public static ScaleRaeSampler SamplerOf(SamplingSpec s) => T2ISamplerSection.Parse(s.Sampler!);
}
