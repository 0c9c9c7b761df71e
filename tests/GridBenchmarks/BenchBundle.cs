using RAE.Grid.Models.Bundles.Writers;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// A randomly initialised RAE bundle at a chosen width, for timing. The repository's tiny bundle (32 wide) does too
/// little work per item for the grid's overhead to be judged against anything; the real models (DINOv2-B encoder,
/// ViT-XL decoder, DiT^DH-XL) are far too slow for a 2-core CPU run. This sits between: the encoder, decoder and DiT
/// backbone are <see cref="Width"/> wide with 64-dim heads (384 = DINOv2-S width), a few layers each, the official
/// token counts (224/14 → 16×16 latent, 256² images). Written by <see cref="RandomBundle"/>.
/// </summary>
public sealed record BenchBundle(int Width = 384, int EncoderLayers = 4, int DecoderLayers = 4, int DiTDepth = 4, int NumClasses = 10)
{
    /// <summary>One line saying what the bundle is, for the benchmark's header.</summary>
    public string Describe() =>
        $"random weights; DINOv2-reg encoder {Width}w×{EncoderLayers}L, ViT decoder {Width}w×{DecoderLayers}L, " +
        $"DiT^DH [{Width},{HeadWidth}]×[{DiTDepth},1] + weak [{Width / 2},{WeakHeadWidth}]×[{WeakDepth},1], " +
        $"latent {Width}×16×16, images 256²";

    // DDT head a third wider than the backbone (the released DiT^DH-XL: 1152 → 2048), in whole 64-dim heads.
    int HeadWidth => Math.Max(64, Width * 4 / 3 / 64 * 64);
    int WeakHeadWidth => Math.Max(64, HeadWidth / 2 / 64 * 64);
    int WeakDepth => Math.Max(1, DiTDepth / 2);

    /// <summary>Writes the bundle under <paramref name="dir"/> and returns the bundle file's path.</summary>
    public string Create(string dir, long seed = 0)
    {
        if (Width % 64 != 0 || Width < 128) throw new ArgumentException($"--width must be a multiple of 64 and at least 128, got {Width}");
        int heads = Width / 64;
        var shape = new RandomBundleShape(
            Width: Width, EncoderLayers: EncoderLayers, EncoderHeads: heads,
            DecoderWidth: Width, DecoderLayers: DecoderLayers, DecoderHeads: heads, DecoderMlp: 4 * Width,
            DiTDepth: DiTDepth, DiTHeads: heads, HeadWidth: HeadWidth, HeadHeads: Math.Max(1, HeadWidth / 64),
            WeakWidth: Width / 2, WeakDepth: WeakDepth, WeakHeads: Math.Max(1, Width / 2 / 64),
            WeakHeadWidth: WeakHeadWidth, WeakHeadHeads: Math.Max(1, WeakHeadWidth / 64), NumClasses: NumClasses);
        return RandomBundle.Create(dir, shape, seed, $"bench-random-{Width}");
    }
}
