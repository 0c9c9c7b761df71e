using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// The official <c>LightningDiT</c> (stage2/models/lightningDiT.py): patch embed + fixed sin-cos
/// <c>pos_embed</c>, c = t_emb + y_emb (no outer SiLU; each adaLN applies its own), adaLN blocks with RoPE, final
/// layer modulated by c, unpatchify. With learn_sigma the second half of the output channels is dropped.
/// </summary>
public sealed class LightningDiT : Module<Tensor, Tensor, Tensor, Tensor>, IVelocityModel
{
    public readonly PatchEmbed x_embedder;
    public readonly GaussianFourierEmbedding t_embedder;
    public readonly LabelEmbedder y_embedder;
    public readonly Parameter? pos_embed;
    public readonly VisionRotaryEmbeddingFast? feat_rope;
    public readonly ModuleList<LightningDiTBlock> blocks;
    public readonly LightningFinalLayer final_layer;

    public LightningDiTConfig Config { get; }
    public int NumClasses => Config.NumClasses;
    public int InChannels => Config.InChannels;
    public int InputSize => Config.InputSize;
    private int OutChannels => Config.LearnSigma ? 2 * Config.InChannels : Config.InChannels;

    public LightningDiT(LightningDiTConfig config) : base("LightningDiT")
    {
        Config = config.Validated();
        var h = config.HiddenSize;
        x_embedder = new PatchEmbed(config.InputSize, config.PatchSize, config.InChannels, h);
        t_embedder = new GaussianFourierEmbedding(h);
        y_embedder = new LabelEmbedder(config.NumClasses, h, config.ClassDropoutProb);
        var grid = x_embedder.GridSize;
        if (config.UsePosEmbed) pos_embed = new Parameter(SinCosPositionEmbedding.Build(h, grid).unsqueeze(0), requires_grad: false);
        if (config.UseRope) feat_rope = new VisionRotaryEmbeddingFast(h / config.NumHeads / 2, grid);
        blocks = new ModuleList<LightningDiTBlock>(Enumerable.Range(0, config.Depth)
            .Select(_ => new LightningDiTBlock(h, config.NumHeads, config.MlpRatio, config.UseQkNorm, config.UseSwiglu,
                config.UseRmsnorm, config.WoShift)).ToArray());
        final_layer = new LightningFinalLayer(h, config.PatchSize, OutChannels, config.UseRmsnorm);
        RegisterComponents();
    }

    /// <summary>CPU generator for label dropout in training mode.</summary>
    public Generator? LabelDropoutGenerator { get => y_embedder.DropoutGenerator; set => y_embedder.DropoutGenerator = value; }

    public override Tensor forward(Tensor x, Tensor t, Tensor y)
    {
        using var scope = NewDisposeScope();
        // Inputs follow the model's dtype (a bf16 model accepts a float32 sampler state); t stays as given.
        var tokens = x_embedder.forward(x.to(x_embedder.proj.weight!.dtype));
        if (pos_embed is not null) tokens = tokens + pos_embed;
        var c = t_embedder.forward(t) + y_embedder.forward(y, training);
        foreach (var block in blocks) tokens = block.forward(tokens, c, feat_rope);
        var image = Patchify.Unpatchify(final_layer.forward(tokens, c), Config.PatchSize, OutChannels);
        if (Config.LearnSigma) image = image.chunk(2, 1)[0];
        return image.MoveToOuterDisposeScope();
    }

    public Tensor Velocity(Tensor x, Tensor t, Tensor y) => forward(x, t, y);
}
