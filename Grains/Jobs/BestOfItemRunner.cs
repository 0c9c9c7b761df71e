using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Models.Verifiers;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Best-of-N items (Scale-RAE's latent test-time scaling): the partition is each item's control plane. Its N candidates
/// are sampled round robin over every silo hosting the diffusion stage; each diffusion stage hands its latent straight to
/// a verifier stage (on its own silo when it hosts one) and keeps it; only the scores come back here. The partition picks
/// the winners (<see cref="BestOfN"/>: a function of the scores alone) and asks the stage holding each winner to send it
/// to a decoder, which stores it. Losers are never decoded, and their latents are released.
/// </summary>
public sealed class BestOfItemRunner(ItemRunContext context, IGrainFactory grains) : ItemRunner(context)
{
    private readonly CandidateHolders _holders = new();

    BestOfSpec BestOf => Plan.Generate!.BestOf!;

    /// <inheritdoc/>
    public override Task RunAsync(IReadOnlyList<int> pending, Func<int> window, CancellationToken ct) =>
        // An item runs N candidates at once: the window counts candidates, not items.
        WindowedRun.RunAsync(pending.GroupBy(Items.ItemOf).ToList(), () => Math.Max(1, window() / BestOf.N),
            item => GuardAsync(item.ToList(), () => ProcessAsync(item.Key, item.ToList(), ct)), ct);

    /// <summary>One item: score its candidates (unless already scored), then decode its pending kept outputs.</summary>
    private async Task ProcessAsync(long item, List<int> locals, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        // One trace per best-of-N item: its N candidates' stage calls and its winners' decodes.
        using var span = GridTracing.StartItem("item", Plan.JobId, item, Plan.Index);
        Ledger.Begin(locals.Count);
        try
        {
            if (Ledger.SelectionOf(item) is not { } selection)
            {
                var scores = new CandidateScores(BestOf.N);
                var outcome = await Retries.RunAsync(locals, () => Task.WhenAll(scores.Unscored.Select(async c =>
                {
                    var score = await ScoreCandidateAsync(item, locals[0], c, ct);
                    scores.Set(c, score.Score, score.Verifier);
                })), ct);
                if (outcome.Error is not null)
                {
                    Release(item, scores.Scored);
                    await SettleAsync(locals, outcome, sw.Elapsed.TotalSeconds);
                    return;
                }
                Ledger.Select(item, selection = scores.ToSelection());
            }
            var winners = BestOfN.Select(selection.Scores, BestOf.Keep);
            Release(item, Enumerable.Range(0, BestOf.N).Except(winners));
            await Task.WhenAll(locals.Select(local => DecodeWinnerAsync(item, local, winners[Items.RankOf(local)], sw, ct)));
        }
        finally { Ledger.End(locals.Count); }
    }

    private DiffusionItem CandidateItem(long item, int local, int candidate, StageHost diffusion) =>
        DiffusionItemOf(local, CandidateSeeds.Of(Plan.Generate!.Seed, item, candidate), CandidateSeeds.NoiseIndex, diffusion);

    /// <summary>Samples and scores candidate <paramref name="candidate"/> on the next diffusion silo; its latent stays there.</summary>
    private async Task<CandidateScore> ScoreCandidateAsync(long item, int local, int candidate, CancellationToken ct)
    {
        var silo = Router.Pick(StageNames.Diffusion);
        var route = new CandidateRoute(Plan.JobId, item, candidate, Router.KeyOf(Router.PickNear(StageNames.Verifier, silo)), BestOf.Verifier,
            BestOf.KeepLatents ? ItemNames.Candidate(Plan.OutputPrefix, item, candidate) : null, Plan.Priority);
        var score = await Router.CallOnAsync(StageNames.Diffusion, silo, (IDiffusionStageGrain stage) =>
            stage.GenerateCandidate(CandidateItem(item, local, candidate, silo), route, ct));
        Ledger.CandidateScored();
        _holders.Hold(item, candidate, silo);
        return score;
    }

    /// <summary>Output <paramref name="local"/>: the kept candidate <paramref name="candidate"/>, decoded and stored.</summary>
    private async Task DecodeWinnerAsync(long item, int local, int candidate, Stopwatch since, CancellationToken ct)
    {
        var index = Items.IndexOf(local);
        var output = Items.OutputOf(local);
        var first = true;
        var outcome = await Retries.RunAsync([local], async () =>
        {
            if (await Stored.AcceptItemAsync(local, index, output, ct)) return;
            // First to the silo holding the scored latent; a retry goes to the next silo, which samples it again.
            var silo = first && _holders.HolderOf(item, candidate) is { } holder ? holder : Router.Pick(StageNames.Diffusion);
            first = false;
            var route = new ItemRoute(Plan.JobId, index, Router.KeyOf(Router.PickNear(StageNames.Decoder, silo)), output,
                Plan.Generate!.OutputSize, Plan.Priority);
            var result = await Router.CallOnAsync(StageNames.Diffusion, silo, (IDiffusionStageGrain stage) =>
                stage.DecodeCandidate(CandidateItem(item, local, candidate, silo), route, ct));
            Ledger.Record(local, result.Receipt.Sha256, result.Receipt.Producer);
            if (result.Resampled) Ledger.KeptResampled();
        }, ct, countFirst: Ledger.AttemptsOf(local) == 0); // scoring the item's candidates was its first attempt
        _holders.Forget(item, candidate);
        await SettleAsync([local], outcome, since.Elapsed.TotalSeconds);
    }

    /// <summary>Tells the silos holding these candidates' latents to drop them (best effort: the cache is bounded anyway).</summary>
    private void Release(long item, IEnumerable<int> candidates)
    {
        foreach (var (silo, held) in _holders.Release(item, candidates))
        {
            var seeds = held.Select(c => CandidateSeeds.Of(Plan.Generate!.Seed, item, c)).ToArray();
            try { _ = grains.GetGrain<IDiffusionStageGrain>(Router.KeyOf(silo)).ReleaseCandidates(Plan.JobId, seeds); }
            catch (Exception e) { Log.LogDebug("Job {Job} item {Item}: candidates not released ({Error})", Plan.JobId, item, e.Message); }
        }
    }
}
