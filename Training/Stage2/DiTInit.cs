using RAE.Grid.Models.Diffusion;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage2;

/// <summary>
/// The official <c>initialize_weights</c> of lightningDiT.py and DDT.py (DiT's convention), drawn from one seeded
/// generator so a training run starts from the same weights every time. In the official order:
/// the frozen Fourier vector <c>t_embedder.W</c> ~ N(0, 1) (drawn at construction in the official code, before the
/// rest), every Linear xavier-uniform with zero bias, each patch embedding's conv xavier-uniform as a Linear over
/// its flattened kernel with zero bias, the label table N(0, 0.02²), the t-embedder MLP weights N(0, 0.02²), every
/// block's adaLN modulation zero, and the final layer's adaLN modulation and output linear zero. The fixed sin-cos
/// <c>pos_embed</c>, the RoPE tables and the norm weights (ones) keep their built values.
/// </summary>
public static class DiTInit
{
    /// <summary>Initialises a <see cref="DiTDH"/> or <see cref="LightningDiT"/> in place.</summary>
    public static void Initialize(Module model, Generator generator)
    {
        switch (model)
        {
            case DiTDH m:
                Apply(m, generator, m.t_embedder, [m.x_embedder, m.s_embedder], m.y_embedder, m.blocks, m.final_layer);
                break;
            case LightningDiT m:
                Apply(m, generator, m.t_embedder, [m.x_embedder], m.y_embedder, m.blocks, m.final_layer);
                break;
            default:
                throw new ArgumentException($"no official initialisation for {model.GetType().Name} (DiTDH or LightningDiT)");
        }
    }

    static void Apply(Module model, Generator g, GaussianFourierEmbedding tEmbedder, PatchEmbed[] embedders,
        LabelEmbedder yEmbedder, ModuleList<LightningDiTBlock> blocks, LightningFinalLayer finalLayer)
    {
        using var _ = no_grad();
        tEmbedder.W.normal_(0, 1, generator: g);
        // _basic_init via self.apply: modules() visits in registration order, as nn.Module.apply does.
        foreach (var (_, module) in model.named_modules())
            if (module is Linear linear) XavierLinear(linear.weight!, linear.bias, g);
        foreach (var embedder in embedders) XavierLinear(embedder.proj.weight!, embedder.proj.bias, g);
        yEmbedder.embedding_table.weight!.normal_(0, 0.02, generator: g);
        ((Linear)tEmbedder.mlp[0]).weight!.normal_(0, 0.02, generator: g);
        ((Linear)tEmbedder.mlp[2]).weight!.normal_(0, 0.02, generator: g);
        foreach (var block in blocks) ZeroLinear((Linear)block.adaLN_modulation[1]);
        ZeroLinear((Linear)finalLayer.adaLN_modulation[1]);
        ZeroLinear(finalLayer.linear);
    }

    /// <summary>xavier_uniform_ on the weight viewed as [out, fan_in] (a conv kernel counts as a Linear), zero bias.</summary>
    static void XavierLinear(Tensor weight, Tensor? bias, Generator g)
    {
        var fanOut = weight.shape[0];
        var fanIn = weight.numel() / fanOut;
        var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        weight.uniform_(-bound, bound, generator: g);
        bias?.zero_();
    }

    static void ZeroLinear(Linear linear)
    {
        linear.weight!.zero_();
        linear.bias?.zero_();
    }
}
