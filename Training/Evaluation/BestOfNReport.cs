namespace RAE.Grid.Training.Evaluation;

/// <summary>A best-of-N evaluation: one row per N, plus what they share.</summary>
/// <param name="Rows">One per requested N, in the order asked.</param>
/// <param name="VerifierName">The verifier that selected.</param>
/// <param name="VerifierVersion">Its version (type and weights hash).</param>
/// <param name="ClassifierAccuracyRealTest">The pixel classifier's accuracy on real test images.</param>
/// <param name="ClassifierCached">Whether the pixel classifier came from the cache (else it was trained in this run).</param>
/// <param name="ClassifierPath">Where the classifier is cached.</param>
/// <param name="CandidatesSampled">G·max(N) latents sampled.</param>
/// <param name="ImagesDecoded">Distinct candidates this evaluation decoded (plain and every row's picks).</param>
/// <param name="Seconds">Wall time of the whole evaluation.</param>
public sealed record BestOfNReport(IReadOnlyList<BestOfNRow> Rows, string VerifierName, string VerifierVersion, double ClassifierAccuracyRealTest,
    bool ClassifierCached, string ClassifierPath, long CandidatesSampled, long ImagesDecoded, double Seconds);
