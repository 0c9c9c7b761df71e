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
