using System.Net;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Models.Verifiers;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>Best-of-N's bookkeeping in a partition: candidate scores, which silo holds which latent, what is persisted and counted.</summary>
public sealed class BestOfBookkeepingTests : IDisposable
{
    private readonly PartitionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    static StageHost Silo(int port) => new(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1), 0);

    [Fact]
    public void Scores_come_in_one_candidate_at_a_time_and_become_a_selection_once_all_are_in()
    {
        var scores = new CandidateScores(4);
        scores.Set(2, 0.9, "probe@1");
        scores.Set(0, 0.1, "probe@1");
        Assert.Equal([1, 3], scores.Unscored);
        Assert.Equal([0, 2], scores.Scored);
        Assert.Throws<InvalidOperationException>(() => scores.ToSelection());

        scores.Set(1, 0.5, "probe@1");
        scores.Set(3, 0.7, "probe@1");
        var selection = scores.ToSelection();
        Assert.Equal([0.1, 0.5, 0.9, 0.7], selection.Scores);
        Assert.Equal("probe@1", selection.Verifier);
        Assert.Equal([2, 3], BestOfN.Select(selection.Scores, keep: 2));
    }

    [Fact]
    public void Released_candidates_are_grouped_by_the_silo_holding_them_and_forgotten()
    {
        var holders = new CandidateHolders();
        var (a, b) = (Silo(11111), Silo(11112));
        holders.Hold(7, 0, a);
        holders.Hold(7, 1, b);
        holders.Hold(7, 2, a);
        holders.Hold(8, 0, b);

        // Candidate 1 won; 3 was never scored (no silo holds it).
        var released = holders.Release(7, [0, 2, 3]);

        Assert.Equal([(a, new[] { 0, 2 })], released.Select(r => (r.Silo, r.Candidates)));
        Assert.Null(holders.HolderOf(7, 0));
        Assert.Equal(b, holders.HolderOf(7, 1));
        Assert.Equal(b, holders.HolderOf(8, 0));
        Assert.Empty(holders.Release(7, [0, 2]));
        holders.Forget(7, 1);
        Assert.Equal(1, holders.Count);
    }

    [Fact]
    public async Task A_selection_is_persisted_so_a_resumed_partition_decodes_the_same_winners_without_sampling_again()
    {
        var plan = PartitionFixtures.Generate(count: 4, bestOf: new BestOfSpec(N: 4, Keep: 2));
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);
        // Outputs 0, 1 are item 0's kept candidates (best first), 2, 3 item 1's.
        Assert.Equal([(0L, 0), (0L, 1), (1L, 0), (1L, 1)], Enumerable.Range(0, 4).Select(i => (items.ItemOf(i), items.RankOf(i))));
        Assert.Null(ledger.SelectionOf(0));
        for (int c = 0; c < 4; c++) ledger.CandidateScored();
        ledger.Select(0, new CandidateSelection { Scores = [0.3, 0.8, 0.1, 0.6], Verifier = "probe@1" });
        ledger.KeptResampled();

        var resumed = PartitionFixtures.Resume(PartitionFixtures.Checkpoint(ledger));

        Assert.Equal([1, 3], BestOfN.Select(resumed.SelectionOf(0)!.Scores, plan.Generate!.BestOf!.Keep));
        Assert.Null(resumed.SelectionOf(1));
        var progress = resumed.Progress(items);
        Assert.Equal((5L, 4L, 1L), (progress.Sampled, progress.VerifierCalls, progress.Resampled));
    }
}
