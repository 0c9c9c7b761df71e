using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Scale-RAE's <c>FullSequenceRectifiedFlowProjector</c> (the <c>diff_head</c>): holds the per-token LightningDiT as
/// <c>model</c>, so its keys are <c>diff_head.model.*</c>. Latents are [B, C, H, W]; <see cref="ToTokens"/> gives the
/// token layout the official <c>infer</c> returns (<c>image_embeds</c>).
/// </summary>
public sealed class RectifiedFlowDiffHead : Module<Tensor, Tensor, Tensor, Tensor>
{
    public readonly ScaleRaeLightningDiT model;

    public RectifiedFlowDiffHead(ScaleRaeDiTConfig config) : base("FullSequenceRectifiedFlowProjector")
    {
        model = new ScaleRaeLightningDiT(config);
        RegisterComponents();
    }

    /// <summary>The latent-size time shift of this head.</summary>
    public double Shift => ScaleRaeSampling.ShiftFactor(model.Config.InChannels, model.NumTokens);

    /// <summary>Conditional velocity.</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor cond) => model.forward(x, t, cond);

    /// <summary>
    /// The velocity the samplers use: conditional for <paramref name="cfgScale"/> 1, else real CFG with the learned
    /// null condition (the official <c>infer</c> would not guide at all; see <see cref="ScaleRaeLightningDiT.ForwardWithCfg"/>).
    /// </summary>
    public Tensor Velocity(Tensor x, Tensor t, Tensor cond, double cfgScale = 1.0) => cfgScale == 1.0
        ? model.forward(x, t, cond)
        : model.ForwardWithCfg(x, t, cond, cfgScale, ScaleRaeLightningDiT.GuidingCfgInterval);

    /// <summary>Recommended sampling: Euler from <paramref name="noise"/> on RAE's shifted grid.</summary>
    public Tensor SampleEuler(Tensor noise, Tensor cond, int steps, double cfgScale = 1.0, CancellationToken cancellation = default) =>
        ScaleRaeSampling.Euler((x, t) => Velocity(x, t, cond, cfgScale), noise, steps, Shift, cancellation);

    /// <summary>The official <c>infer</c> (guidance 1 → <c>model.forward</c>) with <c>p_sample_loop</c>, quirks included.</summary>
    public Tensor SampleOfficialLoop(Tensor noise, Tensor cond, int steps = 50, CancellationToken cancellation = default) =>
        ScaleRaeSampling.OfficialLoop((x, t) => model.forward(x, t, cond), noise, OfficialLoopSchedule.Pairs(Shift, steps), cancellation);

    /// <summary>Latent [B, C, H, W] → tokens [B, H·W, C] (<c>x.permute(0, 2, 3, 1).reshape(B, L, C)</c>).</summary>
    public static Tensor ToTokens(Tensor x) => x.permute(0, 2, 3, 1).reshape(x.shape[0], x.shape[2] * x.shape[3], x.shape[1]);
}
