using TorchSharp;
using RAE.Grid.Models.Encoders;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Rae;

#pragma warning disable IDE1006 // field names mirror the official RAE module

/// <summary>
/// The encode half of the official RAE module (<c>RAE.encode</c>): [0,1] images → bicubic resize to
/// <c>encoder_input_size</c> (align_corners false, no antialias, only when the size differs) → the encoder's pixel
/// mean/std → frozen encoder tokens → noise augmentation (training only) → [B,C,h,w] (token n at row n / w,
/// column n % w) → latent statistics.
/// </summary>
public sealed class RaeEncoder : Module<Tensor, Tensor>
{
    /// <summary>The frozen representation encoder (the official module's field is also <c>encoder</c>).</summary>
    public readonly Module<Tensor, Tensor> encoder;

    // Not a field: RegisterComponents would register the same module a second time under the field's name.
    private IRepresentationEncoder _encoder => (IRepresentationEncoder)encoder;

    /// <summary>Resize, noise and reshape settings.</summary>
    public RaeEncoderOptions Options { get; }

    /// <summary>The latent normalization applied last (identity when no stats file is configured).</summary>
    public LatentStats Stats { get; }

    /// <summary>
    /// Generator for the noise augmentation (null = the global generator). Seed it for reproducible training:
    /// <c>new torch.Generator(seed, device)</c> on the latent's device.
    /// </summary>
    public Generator? NoiseGenerator { get; set; }

    /// <summary>Wraps an encoder (a module implementing <see cref="IRepresentationEncoder"/>).</summary>
    public RaeEncoder(IRepresentationEncoder representationEncoder, RaeEncoderOptions options, LatentStats? stats = null)
        : base("RaeEncoder")
    {
        encoder = representationEncoder as Module<Tensor, Tensor>
            ?? throw new ArgumentException("the representation encoder must be a Module<Tensor, Tensor>");
        Options = options.Validate();
        Stats = stats ?? LatentStats.Identity;
        RegisterComponents();
    }

    /// <summary>The wrapped encoder's properties (hidden size, patch size, pixel normalization).</summary>
    public IRepresentationEncoder RepresentationEncoder => _encoder;

    /// <summary>Side of the latent grid: encoder_input_size / patch_size (16 for 224/14 and 256/16).</summary>
    public int LatentGridSize => Options.EncoderInputSize / _encoder.PatchSize;

    /// <summary>[B,3,H,W] in [0,1] → the encoder's input: resized (if needed) and pixel-normalized.</summary>
    public Tensor PrepareInput(Tensor images)
    {
        using var scope = NewDisposeScope();
        var size = Options.EncoderInputSize;
        if (images.shape[2] != size || images.shape[3] != size)
            images = functional.interpolate(images, size: [size, size], mode: InterpolationMode.Bicubic,
                align_corners: false, antialias: false);
        return _encoder.PixelNormalization.Normalize(images).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The latent before the statistics: tokens, plus noise when training with τ > 0, reshaped to [B,C,h,w]
    /// (or left as [B,N,C] when <c>reshape_to_2d</c> is off).
    /// </summary>
    public Tensor EncodeRaw(Tensor images)
    {
        using var scope = NewDisposeScope();
        var z = _encoder.EncodeTokens(PrepareInput(images));
        if (training && Options.NoiseTau > 0) z = AddNoise(z);
        if (Options.ReshapeTo2d) z = ToGrid(z);
        return z.MoveToOuterDisposeScope();
    }

    /// <summary><c>RAE.encode</c>: <see cref="EncodeRaw"/> then (z − mean)/sqrt(var + eps).</summary>
    public Tensor Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Stats.Normalize(EncodeRaw(images)).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor images) => Encode(images);

    /// <summary>[B,N,C] → [B,C,h,w] with h = w = sqrt(N): token n lands at (n / w, n % w).</summary>
    public static Tensor ToGrid(Tensor tokens)
    {
        var (b, n, c) = (tokens.shape[0], tokens.shape[1], tokens.shape[2]);
        var side = (long)Math.Round(Math.Sqrt(n));
        if (side * side != n) throw new ArgumentException($"{n} tokens do not form a square grid");
        return tokens.transpose(1, 2).reshape(b, c, side, side);
    }

    /// <summary>
    /// z + σ·ε with ε ~ N(0, I) and one σ per sample: τ·U(0,1) (official code) or |N(0, τ²)| (papers).
    /// </summary>
    public Tensor AddNoise(Tensor z)
    {
        using var scope = NewDisposeScope();
        long[] sigmaShape = [z.shape[0], .. Enumerable.Repeat(1L, (int)z.dim() - 1)];
        var draw = Options.NoiseDistribution == NoiseSigmaDistribution.Uniform
            ? rand(sigmaShape, dtype: ScalarType.Float32, device: z.device, generator: NoiseGenerator)
            : randn(sigmaShape, dtype: ScalarType.Float32, device: z.device, generator: NoiseGenerator).abs();
        var sigma = (draw * Options.NoiseTau).to(z.dtype);
        var noise = randn(z.shape, dtype: z.dtype, device: z.device, generator: NoiseGenerator);
        return (z + sigma * noise).MoveToOuterDisposeScope();
    }
}
