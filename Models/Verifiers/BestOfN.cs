namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// Best-of-N selection: the <c>keep</c> highest-scoring of N candidates, in rank order. Ties go to the lower candidate
/// index and a NaN score ranks last, so the winners are a function of the scores alone — never of the order in which
/// candidates finished, which batch scored them or which silo ran them.
/// </summary>
public static class BestOfN
{
    /// <summary>Indices of the <paramref name="keep"/> best of <paramref name="scores"/>, best first.</summary>
    public static int[] Select(IReadOnlyList<double> scores, int keep)
    {
        if (keep < 1 || keep > scores.Count)
            throw new ArgumentOutOfRangeException(nameof(keep), $"keep: must be in 1..{scores.Count} (the number of candidates), got {keep}");
        return Enumerable.Range(0, scores.Count)
            .OrderBy(i => double.IsNaN(scores[i]) ? 1 : 0)
            .ThenByDescending(i => double.IsNaN(scores[i]) ? 0 : scores[i])
            .ThenBy(i => i)
            .Take(keep).ToArray();
    }
}
