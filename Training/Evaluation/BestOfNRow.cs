namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// One N of a best-of-N evaluation: G·k kept images chosen by the verifier from N candidates per group, against the
/// first k candidates of each group (plain sampling, the same number of images), both judged in pixel space.
/// </summary>
/// <param name="N">Candidates per group.</param>
/// <param name="Keep">Kept per group.</param>
/// <param name="Groups">Selection groups.</param>
/// <param name="KeptImages">G·k, the images each accuracy and FD is measured on.</param>
/// <param name="ClassifierAccuracyPlain">Pixel-classifier accuracy of the plain images against their labels.</param>
/// <param name="ClassifierAccuracyBestOfN">Same for the best-of-N picks.</param>
/// <param name="FdPlain">Fréchet distance of the plain images to real test images (encoder pooled features).</param>
/// <param name="FdBestOfN">Same for the picks.</param>
/// <param name="DecodesSaved">G·(N − k): decodes a decode-everything pipeline would have run.</param>
/// <param name="VerifierScorePlain">Mean verifier score of the plain images (the selector's own view: circular, for reference only).</param>
/// <param name="VerifierScoreBestOfN">Mean verifier score of the picks.</param>
public sealed record BestOfNRow(int N, int Keep, int Groups, int KeptImages, double ClassifierAccuracyPlain, double ClassifierAccuracyBestOfN,
    double FdPlain, double FdBestOfN, long DecodesSaved, double VerifierScorePlain, double VerifierScoreBestOfN);
