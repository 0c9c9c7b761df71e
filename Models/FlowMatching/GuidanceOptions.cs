using RAE.Grid.Models.Diffusion;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Guidance settings as in the sampling YAML (<c>guidance: {method, scale, t_min, t_max}</c>) plus the weak model
/// for AutoGuidance. As in sample.py, a scale ≤ 1 means no guidance whatever the method. <see cref="Check"/> holds the
/// class-conditional guidance rules every caller uses (job submission, bundle validation, the sampler itself). The scale's
/// lower bound is 0, not 1: any scale in [0, 1] is "no guidance" for weak + scale·(strong − weak).
/// </summary>
public sealed record GuidanceOptions(GuidanceMethod Method, double Scale = 1.0, double TMin = 0.0, double TMax = 1.0,
    IVelocityModel? WeakModel = null)
{
    /// <summary>The method names accepted in requests and bundles ("ag" is accepted as a short form of autoguidance).</summary>
    public static readonly string[] MethodNames = ["none", "cfg", "autoguidance"];

    /// <summary>No guidance.</summary>
    public static GuidanceOptions None { get; } = new(GuidanceMethod.None);

    /// <summary>The method actually used: <see cref="GuidanceMethod.None"/> when the scale is ≤ 1.</summary>
    public GuidanceMethod Effective => Scale > 1.0 ? Method : GuidanceMethod.None;

    /// <summary>
    /// Every problem with these values, as (field, why), the fields named as in the YAML (<c>scale</c>, <c>t_min</c>,
    /// <c>t_max</c>, <c>method</c>): the scale must be finite and ≥ 0; t_min and t_max finite in [0, 1] with t_min ≤ t_max,
    /// strictly below when guidance is in effect; AutoGuidance in effect needs a weak model.
    /// </summary>
    public static IEnumerable<(string Field, string Problem)> Check(GuidanceMethod method, double scale, double tMin, double tMax, bool hasWeakModel)
    {
        if (!double.IsFinite(scale) || scale < 0) yield return ("scale", $"must be a finite number >= 0, got {scale}");
        var rangeOk = true;
        foreach (var (field, t) in new[] { ("t_min", tMin), ("t_max", tMax) })
            if (!double.IsFinite(t) || t < 0 || t > 1) { rangeOk = false; yield return (field, $"must be in [0, 1], got {t}"); }
        var effective = scale > 1.0 ? method : GuidanceMethod.None;
        if (rangeOk && tMin > tMax) yield return ("t_min", $"({tMin}) is greater than t_max ({tMax})");
        else if (rangeOk && effective != GuidanceMethod.None && !(tMin < tMax))
            yield return ("t_min", $"({tMin}) must be below t_max ({tMax}) when guidance is in effect");
        if (effective == GuidanceMethod.AutoGuidance && !hasWeakModel)
            yield return ("method", "autoguidance needs a weak model (the bundle's guidance.guidance_model)");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every bad field; returns this otherwise.</summary>
    public GuidanceOptions Validated()
    {
        var problems = Check(Method, Scale, TMin, TMax, WeakModel is not null).Select(p => $"guidance {p.Field}: {p.Problem}").ToList();
        return problems.Count == 0 ? this : throw new ArgumentException(string.Join("; ", problems));
    }

    /// <summary>Parses a method name: "cfg", "autoguidance" (also "ag"), "none"; case-insensitive.</summary>
    public static GuidanceMethod ParseMethod(string name) => TryParseMethod(name, out var method)
        ? method : throw new ArgumentException($"'{name}' is not one of {string.Join(", ", MethodNames)}");

    /// <summary>As <see cref="ParseMethod"/>, without throwing: false for a name that is not a method.</summary>
    public static bool TryParseMethod(string name, out GuidanceMethod method)
    {
        (var known, method) = name.ToLowerInvariant() switch
        {
            "cfg" => (true, GuidanceMethod.Cfg),
            "autoguidance" or "ag" => (true, GuidanceMethod.AutoGuidance),
            "none" or "" => (true, GuidanceMethod.None),
            _ => (false, GuidanceMethod.None),
        };
        return known;
    }

    /// <summary>The canonical name of <paramref name="method"/> (as in <see cref="MethodNames"/>).</summary>
    public static string NameOf(GuidanceMethod method) => method switch
    {
        GuidanceMethod.Cfg => "cfg",
        GuidanceMethod.AutoGuidance => "autoguidance",
        _ => "none",
    };
}
