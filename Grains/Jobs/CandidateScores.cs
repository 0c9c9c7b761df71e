namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Best-of-N: one item's candidate scores as they come in. A failed candidate is retried alone, so those already scored
/// keep their scores (and their latents); once all are in they become the item's persisted <see cref="CandidateSelection"/>.
/// </summary>
public sealed class CandidateScores(int n)
{
    private readonly double[] _scores = Enumerable.Repeat(double.NaN, n).ToArray();
    private readonly bool[] _scored = new bool[n];
    private string _verifier = "";

    /// <summary>Candidates not scored yet.</summary>
    public int[] Unscored => Enumerable.Range(0, n).Where(c => !_scored[c]).ToArray();

    /// <summary>Candidates scored so far.</summary>
    public int[] Scored => Enumerable.Range(0, n).Where(c => _scored[c]).ToArray();

    /// <summary>Candidate <paramref name="candidate"/> scored <paramref name="score"/> by <paramref name="verifier"/>.</summary>
    public void Set(int candidate, double score, string verifier) => (_scores[candidate], _scored[candidate], _verifier) = (score, true, verifier);

    /// <summary>The selection to persist (every candidate scored).</summary>
    public CandidateSelection ToSelection() =>
        Unscored.Length == 0 ? new CandidateSelection { Scores = [.. _scores], Verifier = _verifier }
            : throw new InvalidOperationException($"candidates {string.Join(", ", Unscored)} are not scored yet");
}
