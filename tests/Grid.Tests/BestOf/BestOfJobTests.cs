using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.BestOf;

/// <summary>
/// Best-of-N on the grid: candidates fan out over every diffusion silo, verifier stages score them in latent space, the
/// partition keeps the best k, and only those are decoded. The winners are a function of the request alone — the same on
/// one silo as on three, with other batch sizes and partitions.
/// </summary>
public sealed class BestOfJobTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);
    static readonly GenerateSpec Request = new(Classes: [1, 7], PerClass: 2, Seed: 99,
        Sampling: new SamplingSpec(Steps: 3, Sampler: "euler", Guidance: "none"), BestOf: new BestOfSpec(N: 6, Keep: 2, Verifier: BestOfBundles.Verifier));

    static string Bundle => BestOfBundles.Id;

    static GridClusterSpec OneSilo(long? cacheBytes = null)
    {
        var extra = BestOfBundles.Config(new()
        {
            ["Grid:Batching:diffusion:MaxBatch"] = "8", ["Grid:Batching:verifier:MaxBatch"] = "8", ["Grid:Batching:decoder:MaxBatch"] = "8",
        });
        if (cacheBytes is { } bytes) extra["Grid:Pipeline:CandidateCacheBytes"] = bytes.ToString();
        return new([StageNames.All]) { Extra = extra };
    }

    static GridClusterSpec ThreeSilos() => new([StageNames.All, StageNames.All, StageNames.All])
    {
        // Other batch sizes, and partitions of two items (four outputs), two at a time.
        Extra = BestOfBundles.Config(new()
        {
            ["Grid:Batching:diffusion:MaxBatch"] = "2", ["Grid:Batching:verifier:MaxBatch"] = "3", ["Grid:Batching:decoder:MaxBatch"] = "1",
            ["Grid:Pipeline:PartitionSize"] = "5", ["Grid:Pipeline:ActivePartitions"] = "2",
        }),
    };

    [Fact]
    public async Task The_same_request_selects_the_same_winners_on_one_and_three_silos_with_different_batch_sizes()
    {
        var one = await RunAsync(OneSilo(), "one-silo", checkSpread: false);
        var three = await RunAsync(ThreeSilos(), "three-silos", checkSpread: true);

        Assert.Equal(8, one.Winners.Count);
        Assert.Equal(one.Winners, three.Winners);
        foreach (var (name, png) in one.Pngs)
            Assert.True(OutputProvenance.Untagged(png).SequenceEqual(OutputProvenance.Untagged(three.Pngs[name])), $"{name} differs between one and three silos");
        // Every candidate's score is the same too (not only the order): scoring does not depend on the batch.
        Assert.Equal(one.Scores.Keys.Order(), three.Scores.Keys.Order());
        foreach (var (key, score) in one.Scores) Assert.Equal(score, three.Scores[key], 5);
    }

    [Fact]
    public async Task A_winner_whose_latent_was_dropped_is_sampled_again_from_its_seed_into_the_same_output()
    {
        // With keep_latents every candidate's latent (losers too) is also stored for analysis; it changes no output.
        var held = await RunAsync(OneSilo(), "held", checkSpread: false, keepLatents: true);
        // A cache of 0 bytes holds nothing: every winner is sampled again on its way to the decoder (as after a silo died).
        var dropped = OneSilo(cacheBytes: 0);
        var again = await RunAsync(dropped, "dropped", checkSpread: false, resampled: 8);
        Assert.Equal(held.Winners, again.Winners);
        foreach (var (name, png) in held.Pngs)
            Assert.True(OutputProvenance.Untagged(png).SequenceEqual(OutputProvenance.Untagged(again.Pngs[name])), $"{name} differs when its winner was sampled again");
    }

    sealed record Run(List<string> Winners, Dictionary<string, byte[]> Pngs, Dictionary<string, double> Scores);

    static async Task<Run> RunAsync(GridClusterSpec spec, string what, bool checkSpread, int resampled = 0, bool keepLatents = false)
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var id = TestInputs.JobId(what);
        var request = Request with { BestOf = Request.BestOf! with { KeepLatents = keepLatents } };
        await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Generate, Bundle, Generate: request));
        var status = await grid.WaitForJobAsync(id, Deadline);
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));

        // 4 items × keep 2 outputs; 4 × 6 candidates sampled and scored; only the 8 winners decoded.
        Assert.Equal((8, 8), (status.Total, status.Done));
        var b = status.BestOf!;
        Assert.Equal((24L, 24L, 8L, 24L, 16L), (b.CandidatesSampled - b.Resampled, b.VerifierCalls, b.Decodes, b.PlainDecodes(), b.DecodesSaved()));
        Assert.Equal(resampled, b.Resampled);
        Assert.Equal(8, grid.ItemsRunByAll(StageNames.Decoder, Bundle));
        Assert.Equal(24, grid.ItemsRunByAll(StageNames.Verifier, Bundle));
        if (checkSpread)
            for (int silo = 0; silo < 3; silo++)
                Assert.True(grid.ItemsRun(silo, StageNames.Diffusion, Bundle) > 0, $"silo {silo} sampled no candidate: the fan-out did not spread");

        var candidates = (await grid.Client.GetGrain<IOutputReaderGrain>(0).List($"{status.OutputPrefix}/candidates/")).ToList();
        Assert.Equal(keepLatents ? 24 : 0, candidates.Count);
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        var bestOf = manifest.GetProperty("best_of");
        Assert.Equal((6, 2, 16L), (bestOf.GetProperty("n").GetInt32(), bestOf.GetProperty("keep").GetInt32(), bestOf.GetProperty("decodes_saved").GetInt64()));
        var records = await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []);
        var winners = new List<string>();
        var pngs = new Dictionary<string, byte[]>();
        var scores = new Dictionary<string, double>();
        foreach (var r in records)
        {
            var item = r.GetProperty("item").GetInt64();
            var rank = r.GetProperty("rank").GetInt32();
            var candidate = r.GetProperty("candidate").GetInt32();
            winners.Add($"item {item} rank {rank}: candidate {candidate} seed {r.GetProperty("seed").GetInt64()}");
            var output = r.GetProperty("output").GetString()!;
            pngs[output[(status.OutputPrefix.Length + 1)..]] = (await folders.Store.GetAsync(output))!;
            Assert.StartsWith("siglip2 (siglip2-text:", r.GetProperty("verifier").GetString());
            if (rank != 0) { Assert.False(r.TryGetProperty("candidates", out _)); continue; }
            // The item's first output lists all its candidates: seeds, scores, and which ranks were kept.
            var all = r.GetProperty("candidates").EnumerateArray().ToList();
            Assert.Equal(6, all.Count);
            Assert.Equal(2, all.Count(c => c.TryGetProperty("kept", out var k) && k.ValueKind == JsonValueKind.Number));
            foreach (var c in all) scores[$"{item}/{c.GetProperty("candidate").GetInt32()}"] = c.GetProperty("score").GetDouble();
            // Kept means best: no loser scored above a winner.
            var kept = all.Where(c => c.TryGetProperty("kept", out _)).Min(c => c.GetProperty("score").GetDouble());
            Assert.All(all.Where(c => !c.TryGetProperty("kept", out _)), c => Assert.True(c.GetProperty("score").GetDouble() <= kept));
        }
        return new Run(winners, pngs, scores);
    }
}
