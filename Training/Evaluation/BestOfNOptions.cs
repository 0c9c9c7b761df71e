namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// What a best-of-N evaluation (<see cref="BestOfNEvaluator"/>) measures. Group g has class g mod K, so the groups are
/// balanced over the classes; every group samples max(<paramref name="Ns"/>) candidates once, and each N reads the
/// first N of them (candidate seeds depend only on (seed, group, candidate)).
/// </summary>
/// <param name="Ns">Candidates per group for each row (e.g. 4, 8, 16, 32), each at least <paramref name="Keep"/>.</param>
/// <param name="Keep">Images kept (decoded) per group, k.</param>
/// <param name="Groups">Selection groups G; G·k images are kept for each row and for plain sampling.</param>
/// <param name="Verifier">The bundle's verifier to select with (null = its default, the first).</param>
/// <param name="BatchSize">Latents per sampler, verifier and decoder batch.</param>
/// <param name="Seed">Request seed the candidate seeds derive from.</param>
/// <param name="RealImages">Real test images the Fréchet distances are measured against.</param>
/// <param name="Classifier">The pixel-space evaluation classifier's settings.</param>
public sealed record BestOfNOptions(IReadOnlyList<int> Ns, int Keep = 4, int Groups = 100, string? Verifier = null, int BatchSize = 64,
    long Seed = 0, int RealImages = 1000, PixelClassifierOptions? Classifier = null)
{
    /// <summary>Most candidates per group this evaluation may sample (it holds them all in memory).</summary>
    public const int MaxCandidates = 256;

    /// <summary>The largest N: candidates sampled per group.</summary>
    public int MaxN => Ns.Max();

    /// <summary>Returns this, or throws naming the bad field and its limit.</summary>
    public BestOfNOptions Validate()
    {
        if (Ns is not { Count: > 0 }) throw new ArgumentException("best-of: give at least one N");
        if (Keep < 1) throw new ArgumentException($"keep: must be at least 1, got {Keep}");
        foreach (var n in Ns)
            if (n < Keep || n > MaxCandidates)
                throw new ArgumentException($"best-of: N = {n} must be in {Keep}..{MaxCandidates} (keep .. the most candidates per group)");
        if (Groups < 1) throw new ArgumentException($"groups: must be at least 1, got {Groups}");
        if (Groups * Keep < 2) throw new ArgumentException($"groups × keep: must be at least 2 (a Fréchet distance needs two images), got {Groups * Keep}");
        if (BatchSize < 1) throw new ArgumentException($"batch-size: must be at least 1, got {BatchSize}");
        if (RealImages < 2) throw new ArgumentException($"RealImages: must be at least 2, got {RealImages}");
        Classifier?.Validate();
        return this;
    }
}
