namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// Best-of-N selection of <c>inference/verify_results.py</c> (<c>parse_metadata</c>): a stable sort of the candidates
/// by the metric's tuple key, ascending, so exact ties keep index order; the first k are kept (4 in the script).
/// </summary>
public static class VerifierRanking
{
    /// <summary>The metric names the script accepts.</summary>
    public static readonly string[] Metrics = ["answer_logits", "prompt_conf", "image_conf", "response_conf", "answer_conf", "loss"];

    /// <summary>
    /// The official sort key of <paramref name="metric"/> (compared element by element, ascending). Note <c>loss</c>
    /// sorts by yes_conf first, not by prompt_loss: the script's own key, reproduced as is.
    /// </summary>
    public static double[] Key(string metric, CandidateMetrics c) => metric switch
    {
        "answer_logits" => [-c.Score, -c.YesLogit, c.NoLogit],
        "prompt_conf" => [-c.PromptConf, -c.YesLogit, c.NoLogit],
        "image_conf" => [-c.ImageConf, -c.YesLogit, c.NoLogit],
        "response_conf" => [-c.ResponseConf, -c.YesLogit, c.NoLogit],
        "answer_conf" => [-c.Score, -c.YesConf, c.NoConf],
        "loss" => [c.YesConf, -c.Score, -c.YesLogit, c.NoLogit],
        _ => throw new ArgumentException($"unknown verifier metric '{metric}' (one of {string.Join(", ", Metrics)})"),
    };

    /// <summary>Candidate indices in the official order for <paramref name="metric"/>.</summary>
    public static int[] Rank(string metric, IReadOnlyList<CandidateMetrics> candidates) =>
        // LINQ's OrderBy is stable, like Python's sort.
        candidates.OrderBy(c => Key(metric, c), KeyComparer.Instance).Select(c => c.Index).ToArray();

    /// <summary>The first <paramref name="keep"/> of <see cref="Rank"/>.</summary>
    public static int[] Select(string metric, IReadOnlyList<CandidateMetrics> candidates, int keep = 4) =>
        Rank(metric, candidates).Take(keep).ToArray();

    private sealed class KeyComparer : IComparer<double[]>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(double[]? x, double[]? y)
        {
            for (var i = 0; i < x!.Length; i++)
            {
                var c = x[i].CompareTo(y![i]);
                if (c != 0) return c;
            }
            return 0;
        }
    }
}
