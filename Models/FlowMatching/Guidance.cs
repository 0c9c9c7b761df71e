using RAE.Grid.Models.Diffusion;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>Guidance method of the sampling configs (<c>guidance.method</c>).</summary>
public enum GuidanceMethod
{
    /// <summary>Plain conditional velocity (the model's forward).</summary>
    None,
    /// <summary>Classifier-free guidance: v_u + w·(v_c − v_u) on all channels inside [t_min, t_max].</summary>
    Cfg,
    /// <summary>AutoGuidance: v_weak + w·(v_main − v_weak), the weak model seeing the same labels.</summary>
    AutoGuidance,
}

/// <summary>
/// Guidance settings as in the sampling YAML (<c>guidance: {method, scale, t_min, t_max}</c>) plus the weak model
/// for AutoGuidance. As in sample.py, a scale ≤ 1 means no guidance whatever the method.
/// </summary>
public sealed record GuidanceOptions(GuidanceMethod Method, double Scale = 1.0, double TMin = 0.0, double TMax = 1.0,
    IVelocityModel? WeakModel = null)
{
    /// <summary>No guidance.</summary>
    public static GuidanceOptions None { get; } = new(GuidanceMethod.None);

    /// <summary>The method actually used: <see cref="GuidanceMethod.None"/> when the scale is ≤ 1.</summary>
    public GuidanceMethod Effective => Scale > 1.0 ? Method : GuidanceMethod.None;

    /// <summary>Throws naming the bad field.</summary>
    public GuidanceOptions Validated()
    {
        if (double.IsNaN(Scale)) throw new ArgumentException("guidance scale must be a number");
        if (Effective != GuidanceMethod.None && !(TMin < TMax))
            throw new ArgumentException($"guidance t_min ({TMin}) must be below t_max ({TMax})");
        if (Effective == GuidanceMethod.AutoGuidance && WeakModel is null)
            throw new ArgumentException("autoguidance needs a weak model (guidance.guidance_model)");
        return this;
    }

    /// <summary>Parses a method name: "cfg", "autoguidance" (also "ag"), "none".</summary>
    public static GuidanceMethod ParseMethod(string name) => name.ToLowerInvariant() switch
    {
        "cfg" => GuidanceMethod.Cfg,
        "autoguidance" or "ag" => GuidanceMethod.AutoGuidance,
        "none" or "" => GuidanceMethod.None,
        _ => throw new ArgumentException($"guidance method '{name}' is not supported (cfg, autoguidance, none)"),
    };
}
