using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// A service-time stand-in for one stage (setting <c>Grid:StandIn</c>; scale-out benchmarks only). Instead of the
/// model's forward pass, a batch takes <see cref="ServiceMs"/> — once per batch, whatever its size, as a GPU takes a
/// roughly fixed time per batch — and returns deterministic outputs of the right shape, different per item: the encoder
/// and diffusion stages a normal F32 latent of the bundle's latent shape seeded from the item (its image bytes; its
/// label or prompt, seed and index; the text stage a small condition from the prompt), the decoder a flat-coloured PNG of the bundle's image size (or the requested size), its colour
/// drawn from the latent's bytes. The model is still loaded, for its shapes. Items are checked as cheaply as the real
/// stage's contract allows (empty image, latent shape, class range); images are not decoded.
/// These outputs are NOT model outputs: the silo logs that a stage is a stand-in and its health endpoint shows it.
/// </summary>
public sealed class StandInStage
{
    private readonly long _maxPayloadBytes;

    private StandInStage(string stage, int serviceMs, long maxPayloadBytes)
    {
        Stage = stage; ServiceMs = serviceMs; _maxPayloadBytes = maxPayloadBytes;
    }

    /// <summary>The stand-in for <paramref name="stage"/> when <paramref name="options"/> configure one; null: run the model.</summary>
    public static StandInStage? For(GridOptions options, string stage)
    {
        foreach (var (name, ms) in options.StandIn)
            if (name.Equals(stage, StringComparison.OrdinalIgnoreCase)) return new StandInStage(stage, ms, options.MaxPayloadBytes);
        return null;
    }

    /// <summary>The stage this stands in for.</summary>
    public string Stage { get; }

    /// <summary>Service time of one batch, in milliseconds.</summary>
    public int ServiceMs { get; }

    /// <summary>Encoder stand-in: each image → a latent seeded from its bytes.</summary>
    public IReadOnlyList<Result<TensorPayload>> Encode(RaeModel model, IReadOnlyList<(string Name, byte[] Bytes)> items) =>
        Serve(items, item => item.Bytes.Length == 0
            ? Result<TensorPayload>.Fail(new ItemRejectedException($"{item.Name}: empty file"))
            : Result<TensorPayload>.Ok(Latent(model, Hash(item.Bytes)).EnsureWithin(_maxPayloadBytes, $"latent of {item.Name}")));

    /// <summary>Decoder stand-in: each latent → a flat-coloured PNG, its colour drawn from the latent's bytes.</summary>
    public IReadOnlyList<Result<DecodedImage>> Decode(RaeModel model, IReadOnlyList<(TensorPayload Latent, int? Size)> items) =>
        Serve(items, item =>
        {
            try
            {
                if (!item.Latent.Validated().Shape.SequenceEqual(model.LatentShape))
                    throw new ArgumentException($"latent {item.Latent} does not have the bundle's latent shape [{string.Join(",", model.LatentShape)}]");
            }
            catch (ArgumentException e) { return Result<DecodedImage>.Fail(new ItemRejectedException(e.Message)); }
            var size = item.Size ?? model.ImageSize;
            var colour = BitConverter.GetBytes(Hash(item.Latent.Data)).Take(3).Select(b => b / 255f).ToArray();
            using var scope = NewDisposeScope();
            var image = tensor(colour).reshape(3, 1, 1).expand(3, size, size);
            return Result<DecodedImage>.Ok(new DecodedImage(ImageIO.EncodePng(image), size, size));
        });

    /// <summary>Diffusion stand-in: each item → a latent seeded from its label, seed and index (so a rerun gives the same).</summary>
    public IReadOnlyList<Result<TensorPayload>> Generate(RaeModel model, IReadOnlyList<DiffusionItem> items)
    {
        var classes = model.Diffusion?.NumClasses ?? 0;
        return Serve(items, item => item.Condition is { Text: { } prompt }
            ? Result<TensorPayload>.Ok(Latent(model, Hash([.. System.Text.Encoding.UTF8.GetBytes(prompt), .. BitConverter.GetBytes(item.Seed),
                .. BitConverter.GetBytes(item.ItemIndex)])))
            : item.Condition.Label is not { } label || label < 0 || label >= classes
            ? Result<TensorPayload>.Fail(new ItemRejectedException($"item {item.ItemIndex}: class {item.Condition.Label} is outside 0..{classes - 1}"))
            : Result<TensorPayload>.Ok(Latent(model, Hash([.. BitConverter.GetBytes((long)label), .. BitConverter.GetBytes(item.Seed),
                .. BitConverter.GetBytes(item.ItemIndex)]))));
    }

    /// <summary>Text stand-in: each prompt → a small condition seeded from its text (the diffusion stand-in does not read it).</summary>
    public IReadOnlyList<Result<TensorPayload>> Condition(IReadOnlyList<string> prompts) =>
        Serve(prompts, prompt =>
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(Hash(System.Text.Encoding.UTF8.GetBytes(prompt)));
            return Result<TensorPayload>.Ok(TensorPayloads.ToPayload(randn([1, 8], ScalarType.Float32, generator: generator)));
        });

    /// <summary>A synthetic score in [0, 1) from the latent's bytes and label (no verifier runs): deterministic, so a stand-in grid selects the same winners on any silo.</summary>
    public IReadOnlyList<Result<CandidateScore>> Score(IReadOnlyList<(TensorPayload Latent, VerifyRequest Request)> items) =>
        Serve(items, item => Result<CandidateScore>.Ok(new CandidateScore(
            (Hash([.. item.Latent.Data, .. BitConverter.GetBytes(item.Request.Condition.Label ?? -1)]) >> 11) / (double)(1UL << 53), "stand-in (synthetic score)")));

    /// <summary>Makes every item's output, then sleeps out the rest of the batch's service time.</summary>
    private IReadOnlyList<Result<TOut>> Serve<TIn, TOut>(IReadOnlyList<TIn> items, Func<TIn, Result<TOut>> output)
    {
        var clock = Stopwatch.StartNew();
        var results = items.Select(output).ToList();
        var left = ServiceMs - clock.ElapsedMilliseconds;
        if (left > 0) Thread.Sleep(TimeSpan.FromMilliseconds(left));
        return results;
    }

    private static TensorPayload Latent(RaeModel model, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed);
        return TensorPayloads.ToPayload(randn(model.LatentShape, ScalarType.Float32, generator: generator));
    }

    /// <summary>FNV-1a, 64 bits: stable across processes (unlike string hash codes).</summary>
    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in bytes) { h ^= b; h *= 1099511628211UL; }
        return h;
    }
}
