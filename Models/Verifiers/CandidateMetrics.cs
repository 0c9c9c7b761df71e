namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// One candidate's verifier results as <c>verify_results.parse_metadata</c> reads them back from the results JSON.
/// </summary>
public sealed record CandidateMetrics(int Index, int Score, double YesLogit, double NoLogit, double YesConf, double NoConf,
    double PromptLoss, double PromptConf, double ImageConf, double ResponseConf);
