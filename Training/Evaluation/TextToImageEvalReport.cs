namespace RAE.Grid.Training.Evaluation;

/// <summary>A text-to-image evaluation: the test-time-scaling table (three caption splits) and what its rows share.</summary>
/// <param name="Rows">Per split (seen, held-out templates, held-out): plain, then each verifier × each N in the order asked.</param>
/// <param name="Verifiers">The verifiers that selected, name → version (type and weights hash).</param>
/// <param name="ClassifierAccuracyRealTest">The pixel classifier's accuracy on real test images.</param>
/// <param name="ClassifierCached">Whether the pixel classifier came from the cache (else it was trained in this run).</param>
/// <param name="ClassifierPath">Where the classifier is cached.</param>
/// <param name="CandidatesSampled">3·G·max(N) latents sampled (all three splits).</param>
/// <param name="ImagesDecoded">Distinct candidates decoded (plain and every row's picks, each once).</param>
/// <param name="Steps">Sampler steps used.</param>
/// <param name="CfgScale">CFG scale used.</param>
/// <param name="Seconds">Wall time of the whole evaluation.</param>
/// <param name="Prompts">The prompt of each group, per split name.</param>
public sealed record TextToImageEvalReport(IReadOnlyList<TextToImageEvalRow> Rows, IReadOnlyDictionary<string, string> Verifiers,
    double ClassifierAccuracyRealTest, bool ClassifierCached, string ClassifierPath, long CandidatesSampled, long ImagesDecoded, int Steps,
    double CfgScale, double Seconds, IReadOnlyDictionary<string, IReadOnlyList<string>> Prompts)
{
    /// <summary>
    /// Split names of <see cref="TextToImageEvalRow.Split"/>: seen wordings; held-out templates around trained class words;
    /// held-out templates and held-out synonyms (<see cref="T2I.CaptionSplit"/>).
    /// </summary>
    public const string Seen = "seen", HeldOutTemplates = "held-out-templates", HeldOut = "held-out";

    /// <summary>Every split, in evaluation order, with its caption split.</summary>
    public static readonly IReadOnlyList<(T2I.CaptionSplit Split, string Name)> Splits =
        [(T2I.CaptionSplit.Seen, Seen), (T2I.CaptionSplit.HeldOutTemplates, HeldOutTemplates), (T2I.CaptionSplit.HeldOut, HeldOut)];

    /// <summary>The row of (<paramref name="split"/>, <paramref name="verifier"/>, <paramref name="n"/>); plain rows ignore n.</summary>
    public TextToImageEvalRow Row(string split, string verifier, int n) =>
        Rows.FirstOrDefault(r => r.Split == split && r.Verifier == verifier && (verifier == TextToImageEvalRow.Plain || r.N == n))
        ?? throw new KeyNotFoundException($"no row for split '{split}', verifier '{verifier}', N = {n}");
}
