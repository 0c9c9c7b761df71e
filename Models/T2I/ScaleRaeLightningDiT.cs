using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Scale-RAE's <c>LightningDiT</c> (diffusion_loss/models/lightningDiT.py), the <c>diff_head.model</c> of the T2I model:
/// conditioned <b>per token</b> by the projected LLM query states cond [B, L, z]. s = x_embedder(x) + pos_embed;
/// c = SiLU(t_emb[:, None] + cond) (<c>cond_silu</c>); blocks <c>dit_blocks.N</c> and the final layer apply their own
/// SiLU to c before each adaLN Linear (z → width), so with cond_silu the condition passes two SiLUs, as officially.
/// </summary>
public sealed class ScaleRaeLightningDiT : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary><c>forward_with_cfg</c>'s signature default: an interval no t lies in, so it always guides.</summary>
    public static readonly (double Low, double High) GuidingCfgInterval = (-1e4, -1e4);
    /// <summary>The interval <c>FullSequenceRectifiedFlowProjector.infer</c> passes: every t lies in it, so it never guides.</summary>
    public static readonly (double Low, double High) OfficialInferCfgInterval = (-1e4, 1e4);

    public readonly PatchEmbed x_embedder;
    public readonly ScaleRaeTimeEmbedding t_embedder;
    public readonly ConditionEmbedder y_embedder;
    public readonly Parameter pos_embed;
    public readonly VisionRotaryEmbeddingFast feat_rope;
    public readonly ModuleList<LightningDiTBlock> dit_blocks;
    public readonly LightningFinalLayer final_layer;

    public ScaleRaeDiTConfig Config { get; }

    public ScaleRaeLightningDiT(ScaleRaeDiTConfig config) : base("LightningDiT")
    {
        Config = config.Validated();
        int h = config.HiddenSize, z = config.ZChannels;
        x_embedder = new PatchEmbed(config.InputSize, config.PatchSize, config.InChannels, h);
        t_embedder = new ScaleRaeTimeEmbedding(z);
        y_embedder = new ConditionEmbedder(z, config.ClassDropoutProb);
        var grid = x_embedder.GridSize;
        // Fixed tables, but saved in the checkpoint: built here as the official constructor does, then loaded.
        pos_embed = new Parameter(SinCosPositionEmbedding.Build(h, grid).unsqueeze(0).to(ScalarType.Float32), requires_grad: false);
        feat_rope = new VisionRotaryEmbeddingFast(h / config.NumHeads / 2, grid);
        dit_blocks = new ModuleList<LightningDiTBlock>(Enumerable.Range(0, config.Depth)
            .Select(_ => new LightningDiTBlock(h, config.NumHeads, config.MlpRatio, condSize: z)).ToArray());
        final_layer = new LightningFinalLayer(h, config.PatchSize, config.InChannels, useRmsnorm: true, condSize: z);
        RegisterComponents();
    }

    /// <summary>Number of latent tokens L = (input_size / patch_size)², the length the condition must have.</summary>
    public int NumTokens => x_embedder.NumPatches;

    /// <summary>The per-token condition c [B, L, z] the blocks see, from t_emb [B, z] and cond [B, L, z].</summary>
    public Tensor Condition(Tensor tEmb, Tensor cond)
    {
        using var scope = NewDisposeScope();
        var c = tEmb.unsqueeze(1) + cond;
        return (Config.CondSilu ? functional.silu(c) : c).MoveToOuterDisposeScope();
    }

    /// <summary>Velocity [B, C, H, W] of latent <paramref name="x"/> at times <paramref name="t"/> [B] given <paramref name="cond"/> [B, L, z].</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor cond)
    {
        if (cond.dim() != 3 || cond.shape[1] != NumTokens || cond.shape[2] != Config.ZChannels)
            throw new ArgumentException(
                $"the condition must be per token [B, {NumTokens}, {Config.ZChannels}], got [{string.Join(", ", cond.shape)}]");
        using var scope = NewDisposeScope();
        var dtype = x_embedder.proj.weight!.dtype;
        var tokens = x_embedder.forward(x.to(dtype)) + pos_embed;
        var c = Condition(t_embedder.forward(t), y_embedder.forward(cond.to(dtype), training));
        foreach (var block in dit_blocks) tokens = block.forward(tokens, c, feat_rope);
        return Patchify.Unpatchify(final_layer.forward(tokens, c), Config.PatchSize, Config.InChannels).MoveToOuterDisposeScope();
    }

    /// <summary>Velocity under the learned null condition <c>dropout_embedding</c>.</summary>
    public Tensor UnconditionalVelocity(Tensor x, Tensor t, Tensor cond)
    {
        using var scope = NewDisposeScope();
        return forward(x, t, y_embedder.Null(cond)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The official <c>forward_with_cfg</c>: when t[0] (the first sample's time, for the whole batch) lies in
    /// [<paramref name="interval"/>.Low, High] it returns the conditional velocity unchanged; otherwise
    /// v_u + scale·(v_c − v_u) on all channels, from one doubled batch [cond; null]. Pass
    /// <see cref="GuidingCfgInterval"/> for real guidance, <see cref="OfficialInferCfgInterval"/> for what the official
    /// <c>infer</c> does (no guidance at any scale).
    /// </summary>
    public Tensor ForwardWithCfg(Tensor x, Tensor t, Tensor cond, double scale, (double Low, double High) interval)
    {
        using var scope = NewDisposeScope();
        var t0 = t[0].to(ScalarType.Float64).item<double>();
        if (t0 >= interval.Low && t0 <= interval.High) return forward(x, t, cond).MoveToOuterDisposeScope();
        var v = forward(cat([x, x]), cat([t, t]), cat([cond, y_embedder.Null(cond)])).chunk(2, 0);
        return (v[1] + scale * (v[0] - v[1])).MoveToOuterDisposeScope();
    }
}
