using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// <c>get_score</c> of <c>scaling_experiment.py</c> over one greedy answer. Values the answer never produced are 0
/// (the official <c>x or 0</c>).
/// </summary>
/// <param name="Answer">"yes" if any yes-set token appeared (even beside a no token), else "no" if a no token did, else "uncertain".</param>
/// <param name="YesLogit">Selected logit of the last yes-set token.</param>
/// <param name="NoLogit">Selected logit of the last no-set token.</param>
/// <param name="YesConf">Confidence of the last yes-set token's step.</param>
/// <param name="NoConf">Confidence of the last no-set token's step.</param>
/// <param name="ResponseConf">Mean confidence over all generated tokens.</param>
public sealed record AnswerScore(string Answer, double YesLogit, double NoLogit, double YesConf, double NoConf, double ResponseConf)
{
    /// <summary>1 for a "yes" answer, else 0 (the official <c>score</c>).</summary>
    public int Score => Answer == "yes" ? 1 : 0;

    /// <summary>Scores a greedy answer against the yes and no token sets (the last occurrence wins).</summary>
    public static AnswerScore From(GreedyDecodeResult r, IReadOnlySet<long> yesIds, IReadOnlySet<long> noIds)
    {
        double? yl = null, nl = null, yc = null, nc = null;
        for (var i = 0; i < r.Ids.Length; i++)
        {
            if (yesIds.Contains(r.Ids[i])) (yl, yc) = (r.SelectedLogits[i], r.Confidences[i]);
            if (noIds.Contains(r.Ids[i])) (nl, nc) = (r.SelectedLogits[i], r.Confidences[i]);
        }
        var answer = yl is not null ? "yes" : nl is not null ? "no" : "uncertain";
        var response = r.Confidences.Length == 0 ? 0 : r.Confidences.Average();
        return new AnswerScore(answer, yl ?? 0, nl ?? 0, yc ?? 0, nc ?? 0, response);
    }
}
