using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Best-of-N: which silo holds each scored candidate's latent, (item, candidate) → silo. In memory only: after a restart
/// a winner is sampled again from its seed on any silo, which gives the same latent.
/// </summary>
public sealed class CandidateHolders
{
    private readonly Dictionary<(long Item, int Candidate), StageHost> _holders = new();

    /// <summary>Latents held now.</summary>
    public int Count => _holders.Count;

    /// <summary>Candidate <paramref name="candidate"/> of <paramref name="item"/> was scored on <paramref name="silo"/>, which keeps its latent.</summary>
    public void Hold(long item, int candidate, StageHost silo) => _holders[(item, candidate)] = silo;

    /// <summary>The silo holding the candidate's latent, or null when none is known to.</summary>
    public StageHost? HolderOf(long item, int candidate) => _holders.TryGetValue((item, candidate), out var silo) ? silo : null;

    /// <summary>The candidate's latent was used (decoded) or is gone: no silo holds it any more.</summary>
    public void Forget(long item, int candidate) => _holders.Remove((item, candidate));

    /// <summary>
    /// Forgets the held ones of <paramref name="candidates"/> and returns them by silo, so each silo is told once to drop
    /// them. Candidates no silo holds are left out.
    /// </summary>
    public List<(StageHost Silo, int[] Candidates)> Release(long item, IEnumerable<int> candidates)
    {
        var bySilo = candidates.Where(c => _holders.ContainsKey((item, c))).GroupBy(c => _holders[(item, c)])
            .Select(g => (g.Key, g.ToArray())).ToList();
        foreach (var (_, held) in bySilo)
            foreach (var c in held) _holders.Remove((item, c));
        return bySilo;
    }
}
