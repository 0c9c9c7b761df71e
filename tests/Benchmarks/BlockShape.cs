namespace RAE.Grid.Benchmarks;

/// <summary>One linear layer of a block: <paramref name="PerToken"/> false means one row per image (per-sample adaLN).</summary>
public sealed record LinearShape(string Name, long In, long Out, bool PerToken = true);

/// <summary>
/// The matmul anatomy of one transformer block on <see cref="Tokens"/> tokens of width <see cref="Width"/>: its
/// linear layers and the attention (QKᵀ and AV). Used for the block's FLOPs and to time its matmuls on their own.
/// </summary>
public sealed record BlockShape(long Tokens, long Width, long Heads, IReadOnlyList<LinearShape> Linears)
{
    /// <summary>FLOPs of the linear layers for one image.</summary>
    public double LinearFlops => Linears.Sum(l => FlopCount.Linear(l.PerToken ? Tokens : 1, l.In, l.Out));

    /// <summary>FLOPs of QKᵀ and AV for one image.</summary>
    public double AttentionFlops => 2.0 * 2 * Tokens * Tokens * Width;

    /// <summary>FLOPs of the whole block for one image.</summary>
    public double Flops => LinearFlops + AttentionFlops;

    /// <summary>A pre-LN ViT layer (DINOv2, RAE decoder): separate q/k/v, output dense, MLP d → m → d.</summary>
    public static BlockShape Vit(long tokens, long width, long heads, long mlp) => Checked(
        new BlockShape(tokens, width, heads,
        [
            new("query", width, width), new("key", width, width), new("value", width, width),
            new("attention.output.dense", width, width),
            new("intermediate.dense", width, mlp), new("output.dense", mlp, width),
        ]), FlopCount.VitLayer(tokens, width, mlp));

    /// <summary>
    /// A LightningDiT block with SwiGLU (hidden h) and adaLN, computed once per sample (DiT^DH backbone) or per
    /// token (DiT^DH head).
    /// </summary>
    public static BlockShape DiT(long tokens, long width, long heads, long swigluHidden, bool perTokenAdaLN) => Checked(
        new BlockShape(tokens, width, heads,
        [
            new("attn.qkv", width, 3 * width), new("attn.proj", width, width),
            new("mlp.w12", width, 2 * swigluHidden), new("mlp.w3", swigluHidden, width),
            new("adaLN_modulation", width, 6 * width, PerToken: perTokenAdaLN),
        ]), FlopCount.DiTBlock(tokens, width, swigluHidden, perTokenAdaLN));

    // The two FLOP sources must agree, or the table and the anatomy would tell different stories.
    private static BlockShape Checked(BlockShape shape, double formula) =>
        Math.Abs(shape.Flops - formula) <= 1e-9 * formula ? shape
            : throw new InvalidOperationException($"block FLOPs disagree: shape {shape.Flops} vs FlopCount {formula}");
}
