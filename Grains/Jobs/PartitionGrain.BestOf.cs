using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Grains.Metrics;

namespace RAE.Grid.Grains.Jobs;

// Best-of-N (Scale-RAE's latent test-time scaling): the partition is the item's control plane. Its N candidates are
// sampled round robin over every silo hosting the diffusion stage; each diffusion stage hands its latent straight to a
// verifier stage (on its own silo when it hosts one) and keeps it; only the scores come back here. The partition picks
// the winners (BestOfN: a function of the scores alone) and asks the stage holding each winner to send it to a decoder,
// which stores it. Losers are never decoded, and their latents are released.
public sealed partial class PartitionGrain
{
    // Which silo holds each scored candidate's latent (item, candidate) → silo; in memory only: after a restart a
    // winner is sampled again from its seed on any silo, which gives the same latent.
    private readonly Dictionary<(long Item, int Candidate), StageHost> _holders = new();

    /// <summary>One best-of-N item: score its candidates (unless already scored), then decode its pending kept outputs.</summary>
    private async Task ProcessBestOfAsync(PartitionItems items, long item, List<int> locals, CancellationToken ct)
    {
        var bestOf = Plan.Generate!.BestOf!;
        var sw = Stopwatch.StartNew();
        // One trace per best-of-N item: its N candidates' stage calls and its winners' decodes.
        using var span = GridTracing.StartItem("item", Plan.JobId, item, Plan.Index);
        _inFlight += locals.Count;
        try
        {
            if (!S.Selections.TryGetValue(item, out var selection))
            {
                var scores = Enumerable.Repeat(double.NaN, bestOf.N).ToArray();
                var scored = new bool[bestOf.N];
                string verifier = "";
                // A failed candidate is retried alone: those already scored keep their scores (and their latents).
                var outcome = await WithRetriesAsync(locals, () => Task.WhenAll(Enumerable.Range(0, bestOf.N).Where(c => !scored[c]).Select(async c =>
                {
                    var score = await ScoreCandidateAsync(items, item, locals[0], c, ct);
                    (scores[c], scored[c], verifier) = (score.Score, true, score.Verifier);
                })), ct);
                if (outcome.Error is { } error)
                {
                    ReleaseCandidates(item, Enumerable.Range(0, bestOf.N).Where(c => scored[c]));
                    await SettleAsync(locals, locals.Select(_ => (string?)error).ToArray(), sw.Elapsed.TotalSeconds, outcome.Transient);
                    return;
                }
                S.Selections[item] = selection = new CandidateSelection { Scores = scores, Verifier = verifier };
            }
            var winners = BestOfN.Select(selection.Scores, bestOf.Keep);
            ReleaseCandidates(item, Enumerable.Range(0, bestOf.N).Except(winners));
            await Task.WhenAll(locals.Select(local => DecodeWinnerAsync(items, item, local, winners[items.RankOf(local)], sw, ct)));
        }
        finally { _inFlight -= locals.Count; }
    }

    private DiffusionItem CandidateItem(PartitionItems items, long item, int local, int candidate, StageHost diffusion) =>
        DiffusionItemOf(items, local, CandidateSeeds.Of(Plan.Generate!.Seed, item, candidate), CandidateSeeds.NoiseIndex, diffusion);

    /// <summary>Samples and scores candidate <paramref name="candidate"/> on the next diffusion silo; its latent stays there.</summary>
    private async Task<CandidateScore> ScoreCandidateAsync(PartitionItems items, long item, int local, int candidate, CancellationToken ct)
    {
        var bestOf = Plan.Generate!.BestOf!;
        var silo = Router.Pick(StageNames.Diffusion);
        var route = new CandidateRoute(Plan.JobId, item, candidate, Router.KeyOf(Router.PickNear(StageNames.Verifier, silo)), bestOf.Verifier,
            bestOf.KeepLatents ? ItemNames.Candidate(Plan.OutputPrefix, item, candidate) : null, Plan.Priority);
        var score = await Router.CallOnAsync(StageNames.Diffusion, silo, (IDiffusionStageGrain stage) =>
            stage.GenerateCandidate(CandidateItem(items, item, local, candidate, silo), route, ct));
        S.Sampled++;
        S.VerifierCalls++;
        _holders[(item, candidate)] = silo;
        return score;
    }

    /// <summary>Output <paramref name="local"/>: the kept candidate <paramref name="candidate"/>, decoded and stored.</summary>
    private async Task DecodeWinnerAsync(PartitionItems items, long item, int local, int candidate, Stopwatch since, CancellationToken ct)
    {
        var index = items.IndexOf(local);
        var output = items.OutputOf(local);
        var first = true;
        var outcome = await WithRetriesAsync([local], async () =>
        {
            if (_resumed && await AcceptStoredAsync(local, index, output, ct)) return;
            // First to the silo holding the scored latent; a retry goes to the next silo, which samples it again.
            var silo = first && _holders.TryGetValue((item, candidate), out var holder) ? holder : Router.Pick(StageNames.Diffusion);
            first = false;
            var route = new ItemRoute(Plan.JobId, index, Router.KeyOf(Router.PickNear(StageNames.Decoder, silo)), output,
                Plan.Generate!.OutputSize, Plan.Priority);
            var result = await Router.CallOnAsync(StageNames.Diffusion, silo, (IDiffusionStageGrain stage) =>
                stage.DecodeCandidate(CandidateItem(items, item, local, candidate, silo), route, ct));
            S.Record(local, result.Receipt.Sha256, result.Receipt.Producer);
            if (result.Resampled) { S.Sampled++; S.Resampled++; }
        }, ct, countFirst: S.Attempts[local] == 0); // scoring the item's candidates was its first attempt
        _holders.Remove((item, candidate));
        await SettleAsync([local], outcome.Error is null ? null : [outcome.Error], since.Elapsed.TotalSeconds, outcome.Transient);
    }

    /// <summary>Tells the silos holding these candidates' latents to drop them (best effort: the cache is bounded anyway).</summary>
    private void ReleaseCandidates(long item, IEnumerable<int> candidates)
    {
        foreach (var bySilo in candidates.Where(c => _holders.ContainsKey((item, c))).GroupBy(c => _holders[(item, c)]).ToList())
        {
            var seeds = bySilo.Select(c => CandidateSeeds.Of(Plan.Generate!.Seed, item, c)).ToArray();
            foreach (var c in bySilo) _holders.Remove((item, c));
            try { _ = GrainFactory.GetGrain<IDiffusionStageGrain>(Router.KeyOf(bySilo.Key)).ReleaseCandidates(Plan.JobId, seeds); }
            catch (Exception e) { log.LogDebug("Job {Job} item {Item}: candidates not released ({Error})", Plan.JobId, item, e.Message); }
        }
    }
}
