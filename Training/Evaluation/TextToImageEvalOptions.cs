namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// What a text-to-image evaluation (<see cref="TextToImageEvaluator"/>) measures. Group g prompts for class g mod 10
/// with caption <c>FashionCaptions.Caption(class, g / 10, split)</c>, on seen wordings, held-out templates around trained class words, and held-out templates and synonyms; every group
/// samples max(<paramref name="Ns"/>) candidates once, and each N reads the first N of them.
/// </summary>
/// <param name="Ns">Candidates per group for the best-of-N rows (default 4, 8, 16), each at least <paramref name="Keep"/>.</param>
/// <param name="Keep">Images kept (decoded) per group, k.</param>
/// <param name="Groups">Prompt groups G per split; G·k images are kept for each row.</param>
/// <param name="Verifiers">The bundle's verifiers to select with (null = every verifier of the bundle).</param>
/// <param name="BatchSize">Latents per sampler, verifier and decoder batch.</param>
/// <param name="Seed">Request seed the candidate seeds derive from.</param>
/// <param name="RealImages">Real test images the Fréchet distances are measured against.</param>
/// <param name="Classifier">The pixel-space evaluation classifier's settings.</param>
/// <param name="Steps">Sampler steps (null = the bundle's <c>t2i.sampler.num_steps</c>).</param>
/// <param name="CfgScale">CFG scale (null = the bundle's <c>t2i.sampler.cfg_scale</c>).</param>
public sealed record TextToImageEvalOptions(IReadOnlyList<int>? Ns = null, int Keep = 4, int Groups = 50, IReadOnlyList<string>? Verifiers = null,
    int BatchSize = 64, long Seed = 0, int RealImages = 1000, PixelClassifierOptions? Classifier = null, int? Steps = null, double? CfgScale = null)
{
    /// <summary>The N list of the paper's test-time-scaling table at k = 4.</summary>
    public static readonly IReadOnlyList<int> DefaultNs = [4, 8, 16];

    /// <summary>The N list in use.</summary>
    public IReadOnlyList<int> NList => Ns ?? DefaultNs;

    /// <summary>The largest N: candidates sampled per group.</summary>
    public int MaxN => NList.Max();

    /// <summary>Returns this, or throws naming the bad field and its limit (the N and k limits of best-of-N).</summary>
    public TextToImageEvalOptions Validate()
    {
        new BestOfNOptions(NList, Keep, Groups, null, BatchSize, Seed, RealImages, Classifier).Validate();
        if (NList.Distinct().Count() != NList.Count) throw new ArgumentException($"best-of: {string.Join(",", NList)} lists an N twice");
        if (Verifiers is { Count: 0 }) throw new ArgumentException("verifier: give at least one, or none for every verifier of the bundle");
        if (Steps is < 1) throw new ArgumentException($"steps: must be at least 1, got {Steps}");
        if (CfgScale is { } c && !(c >= 1)) throw new ArgumentException($"scale: the CFG scale must be at least 1, got {c}");
        return this;
    }
}
