using RAE.Grid.Models.Verifiers;

namespace RAE.Grid.Models.Tests.Verifiers;

/// <summary>Best-of-N selection and candidate seeds: functions of the request alone, never of order or batching.</summary>
public sealed class BestOfNTests
{
    [Fact]
    public void Select_keeps_the_highest_scores_best_first()
    {
        Assert.Equal([3, 0, 4], BestOfN.Select([0.5, -1, 0.1, 2.0, 0.3], 3));
    }

    [Fact]
    public void Ties_go_to_the_lower_candidate_index_and_NaN_ranks_last()
    {
        Assert.Equal([1, 3], BestOfN.Select([double.NaN, 1.0, 0.0, 1.0], 2));
        Assert.Equal([2, 0, 1], BestOfN.Select([double.NaN, double.NaN, -5], 3));
    }

    [Fact]
    public void Select_depends_on_the_scores_alone_not_on_the_order_they_were_listed_in()
    {
        var rng = new Random(3);
        var scores = Enumerable.Range(0, 32).Select(_ => Math.Round(rng.NextDouble(), 1)).ToArray(); // many ties
        var winners = BestOfN.Select(scores, 4);
        // The same scores arriving in another order (indices carried along) select the same candidates.
        var order = Enumerable.Range(0, 32).OrderBy(_ => rng.Next()).ToArray();
        var shuffled = order.Select(i => scores[i]).ToArray();
        var again = BestOfN.Select(shuffled, 32).Select(j => order[j]).ToList();
        Assert.Equal(winners.Select(w => scores[w]), again.Take(4).Select(w => scores[w]));
    }

    [Fact]
    public void Keep_outside_one_to_n_is_refused_naming_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BestOfN.Select([1.0, 2.0], 3));
        Assert.Contains("keep: must be in 1..2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BestOfN.Select([1.0], 0));
    }

    [Fact]
    public void Candidate_seeds_depend_only_on_seed_item_and_candidate_and_differ_between_candidates()
    {
        Assert.Equal(CandidateSeeds.Of(7, 3, 5), CandidateSeeds.Of(7, 3, 5));
        var seeds = new HashSet<long>();
        for (long item = 0; item < 50; item++)
            for (int c = 0; c < 64; c++)
            {
                var s = CandidateSeeds.Of(7, item, c);
                Assert.True(s >= 0);
                Assert.True(seeds.Add(s), $"seed of item {item} candidate {c} repeats another's");
            }
        Assert.NotEqual(CandidateSeeds.Of(7, 0, 0), CandidateSeeds.Of(8, 0, 0));
    }
}
