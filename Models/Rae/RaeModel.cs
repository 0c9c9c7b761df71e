using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Loading;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Rae;

/// <summary>
/// A loaded bundle: the RAE (encoder, decoder, stats) and, when the bundle has a <c>stage_2</c>, the diffusion model
/// and its guidance model, on the bundle's device and dtype. Reconstruct = encode → decode; generate = per-item
/// seeded noise → shifted-grid ODE solve with guidance → latents (decode them to get images).
/// </summary>
public sealed class RaeModel : IDisposable
{
    public RaeBundle Bundle { get; }
    public RaeEncoder Encoder { get; }
    public RaeDecoder Decoder { get; }
    /// <summary>The diffusion model, or null for a reconstruction-only bundle.</summary>
    public IVelocityModel? Diffusion { get; }
    /// <summary>The AutoGuidance weak model, when the bundle names one.</summary>
    public IVelocityModel? GuidanceModel { get; }

    private RaeModel(RaeBundle bundle, RaeEncoder encoder, RaeDecoder decoder, IVelocityModel? diffusion, IVelocityModel? weak)
    {
        Bundle = bundle; Encoder = encoder; Decoder = decoder; Diffusion = diffusion; GuidanceModel = weak;
    }

    /// <summary>
    /// Loads every model a bundle names, except the <c>t2i</c> LLM, which loads on first use (<see cref="TextToImage"/>):
    /// a decoder-only silo never loads it. Its diffusion head's latent shape is checked against the encoder's here.
    /// </summary>
    public static RaeModel Load(RaeBundle bundle)
    {
        var (encoder, decoder) = Stage1Loader.Load(bundle);
        var diffusion = bundle.Stage2 is { } s2 ? Stage2Loader.Load(bundle, s2, "stage_2") : null;
        var weak = bundle.Guidance.GuidanceModel is { } g ? Stage2Loader.Load(bundle, g, "guidance.guidance_model") : null;
        var model = new RaeModel(bundle, encoder, decoder, diffusion, weak);
        if (bundle.T2I is { } t2i)
        {
            var problems = T2IValidation.LatentShapeProblems(T2IValidation.DiffHead(t2i), model.LatentShape);
            if (problems.Count > 0) { model.Dispose(); throw new BundleValidationException(bundle.Name, problems); }
        }
        return model;
    }

    /// <summary>Loads a bundle file.</summary>
    public static RaeModel Load(string bundlePath) => Load(RaeBundle.Load(bundlePath));

    private readonly Dictionary<string, Verifiers.ILatentVerifier> _verifiers = new();

    /// <summary>
    /// The verifier called <paramref name="name"/> (the bundle's first when null), loaded on first use and kept: a silo
    /// that never serves best-of-N never loads one.
    /// </summary>
    public Verifiers.ILatentVerifier Verifier(string? name = null)
    {
        var section = Bundle.Verifier(name);
        lock (_verifiers)
        {
            if (!_verifiers.TryGetValue(section.Name, out var v)) _verifiers[section.Name] = v = OutsideDisposeScopes(() => Verifiers.VerifierLoader.Load(this, section));
            return v;
        }
    }

    private readonly Lock _t2iLock = new();
    private T2I.TextToImage? _t2i;

    /// <summary>
    /// The bundle's text-to-image model (<c>t2i</c>), loaded on first use, once, and kept (disposed with this model).
    /// Throws <see cref="InvalidOperationException"/> when the bundle has no <c>t2i</c> section.
    /// </summary>
    public T2I.TextToImage TextToImage()
    {
        if (Bundle.T2I is null) throw new InvalidOperationException($"bundle '{Bundle.Name}' has no t2i section");
        lock (_t2iLock) return _t2i ??= OutsideDisposeScopes(() => T2I.TextToImage.Load(Bundle));
    }

    /// <summary>
    /// Runs <paramref name="load"/> on a thread of its own. Dispose scopes are per thread, so a model first used inside a
    /// caller's scope (a stage's batch) does not get its weights attached to that scope and freed when the batch ends.
    /// (A thread-pool task would not do: waiting on it may run it inline, on the caller's thread.)
    /// </summary>
    static T OutsideDisposeScopes<T>(Func<T> load)
    {
        T? result = default;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = load(); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, maxStackSize: 16 << 20) { Name = "model loader" };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result!;
    }

    Device Device => Bundle.Compute.TorchDevice;
    ScalarType DType => Bundle.Compute.ScalarType;

    /// <summary>Side of the images the RAE takes and produces.</summary>
    public int ImageSize => Bundle.Stage1.Params.InputImageSize;

    /// <summary>Latent shape [C, H, W] the encoder produces and the diffusion model generates.</summary>
    public long[] LatentShape
    {
        get
        {
            var grid = Encoder.LatentGridSize;
            return [Encoder.RepresentationEncoder.HiddenSize, grid, grid];
        }
    }

    /// <summary>[B,3,S,S] images in [0,1] (any device) → normalized latents [B,C,h,w] on the model's device.</summary>
    public Tensor Encode(Tensor images)
    {
        using var _ = inference_mode();
        return Encoder.Encode(images.to(DType, Device));
    }

    /// <summary>Latents → images in [0,1], float32 on the CPU.</summary>
    public Tensor Decode(Tensor latents)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        return RaeDecoder.ToUnitRange(Decoder.Decode(latents.to(DType, Device))).to(ScalarType.Float32).cpu()
            .MoveToOuterDisposeScope();
    }

    /// <summary>Encode then decode: the reconstruction of each image.</summary>
    public Tensor Reconstruct(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Decode(Encode(images)).MoveToOuterDisposeScope();
    }

    /// <summary>The time-shift factor s = sqrt(m / base) of this bundle (m defaults to C·H·W).</summary>
    public double Shift => TimeShift.Factor(Bundle.Misc.TimeDistShiftDim ?? LatentShape.Aggregate(1L, (a, b) => a * b),
        Bundle.Misc.TimeDistShiftBase);

    /// <summary>
    /// Generates latents for <paramref name="labels"/>; item i's starting noise depends only on
    /// (<paramref name="seed"/>, <paramref name="itemIndices"/>[i]), so a sample does not depend on its batch.
    /// </summary>
    public Tensor GenerateLatents(IReadOnlyList<long> labels, long seed, IReadOnlyList<long> itemIndices,
        SamplingSettings? settings = null, CancellationToken cancellation = default) =>
        GenerateLatents(labels, labels.Select(_ => seed).ToList(), itemIndices, settings, cancellation);

    /// <summary>
    /// As above with a seed per item, so items of different jobs can share one batch. <paramref name="cancellation"/> is
    /// checked between ODE steps: a cancelled solve stops within one step with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public Tensor GenerateLatents(IReadOnlyList<long> labels, IReadOnlyList<long> seeds, IReadOnlyList<long> itemIndices,
        SamplingSettings? settings = null, CancellationToken cancellation = default)
    {
        var model = Diffusion ?? throw new InvalidOperationException($"bundle '{Bundle.Name}' has no stage_2 diffusion model");
        if (labels.Count != itemIndices.Count || labels.Count != seeds.Count)
            throw new ArgumentException($"{labels.Count} labels, {seeds.Count} seeds and {itemIndices.Count} item indices");
        foreach (var label in labels)
            if (label < 0 || label >= model.NumClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), $"class {label} is outside 0..{model.NumClasses - 1}");
        var s = (settings ?? new SamplingSettings()).Resolve(Bundle);
        var guidance = new GuidanceOptions(GuidanceOptions.ParseMethod(s.GuidanceMethod!), s.GuidanceScale!.Value,
            s.TMin!.Value, s.TMax!.Value, GuidanceModel);
        var sampler = ClassConditionalSampler.Official(Shift, s.NumSteps!.Value, s.SamplingMethod!);
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var xT = stack(Enumerable.Range(0, labels.Count)
            .Select(i => ItemNoise.ForItem(seeds[i], itemIndices[i], LatentShape, Device, DType)).ToArray(), 0);
        var y = tensor(labels.ToArray(), ScalarType.Int64).to(Device);
        return sampler.Sample(model, xT, y, guidance, cancellation: cancellation).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Decoder.Dispose();
        (Diffusion as IDisposable)?.Dispose();
        (GuidanceModel as IDisposable)?.Dispose();
        lock (_verifiers) foreach (var v in _verifiers.Values) (v as IDisposable)?.Dispose();
        lock (_t2iLock) _t2i?.Dispose();
    }
}
