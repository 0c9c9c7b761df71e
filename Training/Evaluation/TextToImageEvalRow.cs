namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// One row of the test-time-scaling table: G·k kept images of one caption split, either plain sampling (candidates
/// 0..k−1 of each group, <see cref="Verifier"/> = <see cref="TextToImageEvalRow.Plain"/>) or the top k of N by a verifier,
/// judged in pixel space against the prompt's class.
/// </summary>
/// <param name="Split">"seen", "held-out-templates" or "held-out" caption wordings (<see cref="TextToImageEvalReport.Splits"/>).</param>
/// <param name="Verifier">The selecting verifier's name, or <see cref="TextToImageEvalRow.Plain"/>.</param>
/// <param name="N">Candidates per group (k for plain sampling).</param>
/// <param name="Keep">Kept per group, k.</param>
/// <param name="KeptImages">G·k, the images accuracy and FD are measured on.</param>
/// <param name="PromptAccuracy">Fraction of kept images the pixel classifier assigns to the class their prompt names.</param>
/// <param name="Fd">Fréchet distance of the kept images to real test images (encoder pooled features).</param>
/// <param name="DecodesSaved">G·(N − k): decodes a decode-everything pipeline would have run (0 for plain).</param>
/// <param name="MeanScore">Mean verifier score of the kept images (the selector's own view; null for plain).</param>
public sealed record TextToImageEvalRow(string Split, string Verifier, int N, int Keep, int KeptImages, double PromptAccuracy, double Fd,
    long DecodesSaved, double? MeanScore)
{
    /// <summary>The verifier name of plain-sampling rows.</summary>
    public const string Plain = "none";
}
