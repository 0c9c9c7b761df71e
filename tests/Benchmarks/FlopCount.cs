namespace RAE.Grid.Benchmarks;

/// <summary>
/// Analytic FLOP counts (2 FLOPs per multiply-add) of the matmul work in the stages, which is where the time goes.
/// Norms, activations and softmax are left out: they are a few percent at these widths.
/// </summary>
public static class FlopCount
{
    /// <summary>A pre-LN ViT layer over n tokens of width d with an MLP of width m (DINOv2, MAE, SigLIP, RAE decoder).</summary>
    public static double VitLayer(long n, long d, long m) =>
        2.0 * (4 * n * d * d      // q, k, v, out projections
               + 2 * n * n * d    // QKᵀ and AV
               + 2 * n * d * m);  // fc1, fc2

    /// <summary>
    /// A DiT block with SwiGLU (hidden h) and adaLN: <paramref name="perTokenAdaLN"/> for DiT^DH head blocks, whose
    /// modulation is computed per token (Linear d → 6d on every token) rather than once per sample.
    /// </summary>
    public static double DiTBlock(long n, long d, long h, bool perTokenAdaLN) =>
        2.0 * (4 * n * d * d + 2 * n * n * d
               + n * d * 2 * h + n * h * d           // w12, w3
               + (perTokenAdaLN ? n : 1) * d * 6 * d); // adaLN modulation

    /// <summary>Patch embedding (conv p×p, stride p) of an image of side s into width d.</summary>
    public static double PatchEmbed(long side, long patch, long d, long channels = 3) =>
        2.0 * (side / patch) * (side / patch) * channels * patch * patch * d;

    /// <summary>A linear layer over n tokens.</summary>
    public static double Linear(long n, long inF, long outF) => 2.0 * n * inF * outF;
}
