using RAE.Grid.Models.T2I;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Initialisation of a fresh <see cref="ScaleRaeT2IModel"/> for training, from one generator: the LLM as HF's Qwen2
/// (<c>initializer_range</c> 0.02: every Linear and the embedding N(0, 0.02²), biases 0, RMSNorm 1), the latent queries
/// N(0, 0.02²) (distinct, so the query tokens can specialise), the projectors Xavier, and the LightningDiT head as the
/// official <c>initialize_weights</c> (Xavier Linear, t-MLP N(0, 0.02²), adaLN and final layer zero, so the head starts
/// at velocity 0). Every parameter is made trainable except the fixed <c>pos_embed</c>.
/// </summary>
public static class T2IInit
{
    /// <summary>Initialises <paramref name="model"/> in place.</summary>
    public static void Initialize(ScaleRaeT2IModel model, Generator g)
    {
        using var _ = no_grad();
        foreach (var (_, module) in model.Llm.named_modules())
            if (module is Linear l) { l.weight!.normal_(0, 0.02, generator: g); l.bias?.zero_(); }
        model.Llm.model.embed_tokens.weight!.normal_(0, 0.02, generator: g);
        model.LatentQueries.normal_(0, 0.02, generator: g);
        foreach (var (_, module) in model.MmProjector.named_modules())
            if (module is Linear l) Xavier(l, g);
        Xavier(model.Head.diff_head_projector, g);

        var dit = model.Head.diff_head.model;
        foreach (var (_, module) in dit.named_modules())
            if (module is Linear l) Xavier(l, g);
        var proj = dit.x_embedder.proj;
        var bound = Math.Sqrt(6.0 / (proj.weight!.numel() / proj.weight.shape[0] + proj.weight.shape[0]));
        proj.weight.uniform_(-bound, bound, generator: g);
        proj.bias?.zero_();
        foreach (var (name, p) in dit.t_embedder.named_parameters())
            if (name.EndsWith("weight", StringComparison.Ordinal) && p.dim() == 2) p.normal_(0, 0.02, generator: g);
        foreach (var block in dit.dit_blocks) Zero((Linear)block.adaLN_modulation[1]);
        Zero((Linear)dit.final_layer.adaLN_modulation[1]);
        Zero(dit.final_layer.linear);

        foreach (var (name, p) in model.named_parameters()) p.requires_grad = !name.EndsWith("pos_embed", StringComparison.Ordinal);
    }

    static void Xavier(Linear l, Generator g)
    {
        var w = l.weight!;
        var bound = Math.Sqrt(6.0 / (w.shape[0] + w.shape[1]));
        w.uniform_(-bound, bound, generator: g);
        l.bias?.zero_();
    }

    static void Zero(Linear l)
    {
        l.weight!.zero_();
        l.bias?.zero_();
    }
}
