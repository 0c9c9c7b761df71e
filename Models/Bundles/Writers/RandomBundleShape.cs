namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// Sizes of a random bundle: widths, depths and heads of the encoder, decoder, DiT^DH and its weak guidance model.
/// The defaults are the repository's tiny bundle; benchmarks use wider ones.
/// </summary>
public sealed record RandomBundleShape(
    int Width = 32, int EncoderLayers = 2, int EncoderHeads = 2,
    int DecoderWidth = 64, int DecoderLayers = 2, int DecoderHeads = 2, int DecoderMlp = 128,
    int DiTDepth = 2, int DiTHeads = 2, int HeadWidth = 64, int HeadHeads = 2,
    int WeakWidth = 16, int WeakDepth = 1, int WeakHeads = 1, int WeakHeadWidth = 64, int WeakHeadHeads = 2,
    int NumClasses = 10)
{
    /// <summary>The repository's tiny bundle.</summary>
    public static RandomBundleShape Tiny { get; } = new();

    /// <summary>One line saying what the bundle is.</summary>
    public string Describe(string encoder = "DINOv2-reg") =>
        $"{encoder} encoder {Width}w×{EncoderLayers}L, ViT decoder {DecoderWidth}w×{DecoderLayers}L, " +
        $"DiT^DH [{Width},{HeadWidth}]×[{DiTDepth},1] + weak [{WeakWidth},{WeakHeadWidth}]×[{WeakDepth},1], latent {Width}×16×16, images 256²";
}
