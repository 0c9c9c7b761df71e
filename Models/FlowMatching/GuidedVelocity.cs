using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// The guided model functions of DDT.py, on the doubled batch that sample.py builds ([x; x] with labels [y; null]).
/// </summary>
public static class GuidedVelocity
{
    /// <summary>Per-sample mask t_min ≤ t ≤ t_max (compared in t's dtype, as torch does), shaped to broadcast over x.</summary>
    private static Tensor InInterval(Tensor t, double tMin, double tMax, Tensor like) =>
        ((t >= tMin) & (t <= tMax)).view([t.shape[0], .. Enumerable.Repeat(1L, (int)like.dim() - 1)]);

    /// <summary>
    /// <c>forward_with_cfg</c>: the first half of x is duplicated, the model runs on it with labels y (second half
    /// null), and v_u + w·(v_c − v_u) replaces v_c where the first half's t lies in [t_min, t_max]; the result is
    /// [v; v].
    /// </summary>
    public static Tensor ForwardWithCfg(IVelocityModel model, Tensor x, Tensor t, Tensor y, double scale, double tMin = 0, double tMax = 1)
    {
        using var scope = NewDisposeScope();
        var n = x.shape[0] / 2;
        var half = x.narrow(0, 0, n);
        var output = model.Velocity(cat([half, half], 0), t, y);
        var cond = output.narrow(0, 0, n);
        var uncond = output.narrow(0, n, n);
        var guided = where(InInterval(t.narrow(0, 0, n), tMin, tMax, cond), uncond + (cond - uncond) * scale, cond);
        return cat([guided, guided], 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>forward_with_autoguidance</c>: both models run on the whole batch with the same labels and
    /// v_weak + w·(v_main − v_weak) replaces v_main where t lies in [t_min, t_max].
    /// </summary>
    public static Tensor ForwardWithAutoguidance(IVelocityModel main, IVelocityModel weak, Tensor x, Tensor t, Tensor y,
        double scale, double tMin = 0, double tMax = 1)
    {
        using var scope = NewDisposeScope();
        var v = main.Velocity(x, t, y);
        var vWeak = weak.Velocity(x, t, y);
        return where(InInterval(t, tMin, tMax, v), vWeak + (v - vWeak) * scale, v).MoveToOuterDisposeScope();
    }

    /// <summary>The model function sample.py picks for <paramref name="guidance"/>, over labels <paramref name="y"/>.</summary>
    public static VelocityField For(IVelocityModel model, Tensor y, GuidanceOptions guidance)
    {
        guidance.Validated();
        return guidance.Effective switch
        {
            GuidanceMethod.Cfg => (x, t) => ForwardWithCfg(model, x, t, y, guidance.Scale, guidance.TMin, guidance.TMax),
            GuidanceMethod.AutoGuidance => (x, t) =>
                ForwardWithAutoguidance(model, guidance.WeakModel!, x, t, y, guidance.Scale, guidance.TMin, guidance.TMax),
            _ => (x, t) => model.Velocity(x, t, y),
        };
    }
}
