using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// DiT^DH, the official <c>DiTwDDTHead</c> (stage2/models/DDT.py): a DiT backbone over s = s_embedder(x) +
/// pos_embed conditioned per sample on c = SiLU(t_emb + y_emb), a bridge s ← s_projector(SiLU(t_emb + s)), and a
/// wide shallow head over x_embedder(x) (no position embedding) whose blocks and final layer are conditioned
/// <b>per token</b> by s. Blocks 0..depth[0]−1 are the backbone, the rest the head, as in the checkpoint.
/// </summary>
public sealed class DiTDH : Module<Tensor, Tensor, Tensor, Tensor>, IVelocityModel
{
    public readonly PatchEmbed x_embedder, s_embedder;
    public readonly Linear? s_projector;
    public readonly GaussianFourierEmbedding t_embedder;
    public readonly LabelEmbedder y_embedder;
    public readonly LightningFinalLayer final_layer;
    public readonly Parameter? pos_embed;
    public readonly VisionRotaryEmbeddingFast? enc_feat_rope, dec_feat_rope;
    public readonly ModuleList<LightningDiTBlock> blocks;

    public DiTDHConfig Config { get; }
    public int NumClasses => Config.NumClasses;
    public int InChannels => Config.InChannels;
    public int InputSize => Config.InputSize;

    public DiTDH(DiTDHConfig config) : base("DiTDH")
    {
        Config = config.Validated();
        int enc = config.EncoderHiddenSize, dec = config.DecoderHiddenSize, p = config.PatchSize;
        x_embedder = new PatchEmbed(config.InputSize, p, config.InChannels, dec);
        s_embedder = new PatchEmbed(config.InputSize, p, config.InChannels, enc);
        // The official code uses nn.Identity (no parameters) when both widths agree.
        if (enc != dec) s_projector = Linear(enc, dec);
        t_embedder = new GaussianFourierEmbedding(enc);
        y_embedder = new LabelEmbedder(config.NumClasses, enc, config.ClassDropoutProb);
        // Official: DDTFinalLayer(dec, 1, in·p²) and unpatchify with the head's patch size; identical for p = 1.
        final_layer = new LightningFinalLayer(dec, p, config.InChannels, config.UseRmsnorm);
        var grid = s_embedder.GridSize;
        if (config.UsePosEmbed) pos_embed = new Parameter(SinCosPositionEmbedding.Build(enc, grid).unsqueeze(0), requires_grad: false);
        if (config.UseRope)
        {
            enc_feat_rope = new VisionRotaryEmbeddingFast(enc / config.NumHeads[0] / 2, grid);
            dec_feat_rope = new VisionRotaryEmbeddingFast(dec / config.NumHeads[1] / 2, x_embedder.GridSize);
        }
        blocks = new ModuleList<LightningDiTBlock>(Enumerable.Range(0, config.Depth[0] + config.Depth[1])
            .Select(i => i < config.Depth[0]
                ? new LightningDiTBlock(enc, config.NumHeads[0], config.MlpRatio, config.UseQkNorm, config.UseSwiglu, config.UseRmsnorm, config.WoShift)
                : new LightningDiTBlock(dec, config.NumHeads[1], config.MlpRatio, config.UseQkNorm, config.UseSwiglu, config.UseRmsnorm, config.WoShift))
            .ToArray());
        RegisterComponents();
    }

    /// <summary>CPU generator for label dropout in training mode.</summary>
    public Generator? LabelDropoutGenerator { get => y_embedder.DropoutGenerator; set => y_embedder.DropoutGenerator = value; }

    /// <summary>
    /// The backbone: returns SiLU(t_emb + s) [B, N, enc], the input of <c>s_projector</c>.
    /// <paramref name="tEmb"/> = t_embedder(t), <paramref name="c"/> = SiLU(t_emb + y_emb).
    /// </summary>
    public Tensor Backbone(Tensor x, Tensor tEmb, Tensor c)
    {
        using var scope = NewDisposeScope();
        var s = s_embedder.forward(x);
        if (pos_embed is not null) s = s + pos_embed;
        for (var i = 0; i < Config.Depth[0]; i++) s = blocks[i].forward(s, c, enc_feat_rope);
        return functional.silu(tEmb.unsqueeze(1) + s).MoveToOuterDisposeScope();
    }

    /// <summary>The head: per-token condition s [B, N, dec] applied to x_embedder(x); returns the velocity image.</summary>
    public Tensor Head(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        var h = x_embedder.forward(x);
        for (var i = Config.Depth[0]; i < blocks.Count; i++) h = blocks[i].forward(h, s, dec_feat_rope);
        return Patchify.Unpatchify(final_layer.forward(h, s), Config.PatchSize, Config.InChannels).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        using var scope = NewDisposeScope();
        // Inputs follow the model's dtype (a bf16 model accepts a float32 sampler state); t stays as given.
        x = x.to(x_embedder.proj.weight!.dtype);
        var tEmb = t_embedder.forward(t);
        var c = functional.silu(tEmb + y_embedder.forward(y, training));
        var s = Backbone(x, tEmb, c);
        if (s_projector is not null) s = s_projector.forward(s);
        return Head(x, s).MoveToOuterDisposeScope();
    }

    public Tensor Velocity(Tensor x, Tensor t, Tensor y) => forward(x, t, y);
}
