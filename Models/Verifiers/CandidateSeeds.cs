using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// The seed of each best-of-N candidate, derived from the request's seed, the item (selection group) and the candidate's
/// index only — so a candidate's starting noise, and therefore the winners, are the same whatever the batch composition,
/// partitioning or silo count. A candidate's latent is sampled as item 0 of its own seed (<see cref="ItemNoise"/>).
/// </summary>
public static class CandidateSeeds
{
    /// <summary>Item index passed with a candidate seed to the sampler: the seed alone picks the noise.</summary>
    public const long NoiseIndex = 0;

    /// <summary>The seed of candidate <paramref name="candidate"/> of item <paramref name="item"/> in a request seeded <paramref name="seed"/>.</summary>
    public static long Of(long seed, long item, int candidate)
    {
        if (candidate < 0) throw new ArgumentOutOfRangeException(nameof(candidate), $"candidate: must be >= 0, got {candidate}");
        // Two SplitMix64 rounds over (seed, item) and then the candidate; the top bit is cleared so seeds print as positive.
        var mixed = ItemNoise.ItemSeed((long)ItemNoise.ItemSeed(seed, item), candidate);
        return (long)(mixed & 0x7FFF_FFFF_FFFF_FFFFUL);
    }
}
