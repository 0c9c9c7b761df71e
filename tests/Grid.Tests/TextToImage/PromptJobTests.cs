using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.TextToImage;

/// <summary>
/// Text-to-image jobs on the grid (Scale-RAE): the text stage turns each prompt into condition tokens once, the diffusion
/// stage samples from them, the LLM verifier scores best-of-N candidates in latent space, and only the winners are
/// decoded. The manifest records every item's prompt, its candidates and their scores.
/// </summary>
public sealed class PromptJobTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);
    static readonly string[] Prompts = ["a photo of a cat", "a red bus on a street", "Generate a small blue bird"];
    static readonly SamplingSpec FewSteps = new(Steps: 3);

    static string Bundle => TextToImageBundles.Id;

    static GridClusterSpec Silos(params string[][] stages) => new(stages)
    {
        Extra = TextToImageBundles.Config(new()
        {
            ["Grid:Batching:text:MaxBatch"] = "4", ["Grid:Batching:diffusion:MaxBatch"] = "4", ["Grid:Batching:verifier:MaxBatch"] = "4",
        }),
    };

    [Fact]
    public async Task A_best_of_n_prompt_job_runs_each_prompt_through_the_llm_once_scores_every_candidate_and_decodes_only_the_winners()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(Silos(StageNames.All), folders);
        var request = GenerateSpec.ForPrompts(Prompts, perPrompt: 1, seed: 7, FewSteps, bestOf: new BestOfSpec(N: 4, Keep: 2, Verifier: "prompt-confidence"));
        var status = await RunAsync(grid, "best-of-prompts", request);

        // 3 prompts × keep 2 outputs; 3 × 4 candidates sampled and scored; 6 decoded.
        Assert.Equal((6, 6), (status.Total, status.Done));
        var b = status.BestOf!;
        Assert.Equal((3L, 12L, 12L, 6L, 6L), (b.Items, b.CandidatesSampled, b.VerifierCalls, b.Decodes, b.DecodesSaved()));
        // The LLM conditioned each prompt once for its four candidates (the text stage keeps a prompt's condition).
        Assert.Equal(3, grid.ItemsRunByAll(StageNames.Text, Bundle));
        Assert.Equal(12, grid.ItemsRunByAll(StageNames.Verifier, Bundle));
        Assert.Equal(6, grid.ItemsRunByAll(StageNames.Decoder, Bundle));

        var (manifest, records) = await ManifestAsync(folders, status);
        Assert.Equal(3, manifest.GetProperty("settings").GetProperty("prompts").GetInt32());
        Assert.Equal("prompt-confidence", manifest.GetProperty("best_of").GetProperty("verifier").GetString());
        foreach (var r in records)
        {
            var item = r.GetProperty("item").GetInt64();
            Assert.Equal(Prompts[item], r.GetProperty("prompt").GetString());
            Assert.Equal(item, r.GetProperty("prompt_index").GetInt64());
            Assert.False(r.TryGetProperty("label", out _));
            Assert.EndsWith($"_prompt{item}.png", r.GetProperty("output").GetString());
            Assert.StartsWith("prompt-confidence (", r.GetProperty("verifier").GetString());
            Assert.Equal(1, r.GetProperty("attempts").GetInt32()); // scoring and decoding are one attempt, not two
            if (r.GetProperty("rank").GetInt32() != 0) continue;
            var all = r.GetProperty("candidates").EnumerateArray().ToList();
            Assert.Equal(4, all.Count);
            Assert.All(all, c => Assert.True(double.IsFinite(c.GetProperty("score").GetDouble()), $"item {item}: a candidate's score is not finite"));
            var kept = all.Where(c => c.TryGetProperty("kept", out var k) && k.ValueKind == JsonValueKind.Number).ToList();
            Assert.Equal(2, kept.Count);
            Assert.All(all.Except(kept), c => Assert.True(c.GetProperty("score").GetDouble() <= kept.Min(k => k.GetProperty("score").GetDouble())));
        }
    }

    [Fact]
    public async Task A_prompt_job_split_over_two_silos_by_stage_gives_the_same_images_as_one_silo_with_every_stage()
    {
        var request = GenerateSpec.ForPrompts(Prompts[..2], perPrompt: 2, seed: 3, FewSteps, bestOf: new BestOfSpec(N: 3, Keep: 1, Verifier: "answer-logits"));
        using var folders1 = new GridTestFolders();
        Dictionary<string, byte[]> one;
        await using (var grid = await GridTestCluster.StartAsync(Silos(StageNames.All), folders1))
            one = await ImagesAsync(folders1, await RunAsync(grid, "one-silo", request));

        using var folders2 = new GridTestFolders();
        await using var split = await GridTestCluster.StartAsync(
            Silos([StageNames.Text, StageNames.Decoder], [StageNames.Diffusion, StageNames.Verifier]), folders2);
        var two = await ImagesAsync(folders2, await RunAsync(split, "two-silos", request));
        // Every stage ran where it was placed: text and decoder on silo 0, diffusion and the verifier on silo 1.
        Assert.Equal((2L, 4L, 0L, 0L), (split.ItemsRun(0, StageNames.Text, Bundle), split.ItemsRun(0, StageNames.Decoder, Bundle),
            split.ItemsRun(0, StageNames.Diffusion, Bundle), split.ItemsRun(0, StageNames.Verifier, Bundle)));
        Assert.Equal((12L, 12L), (split.ItemsRun(1, StageNames.Diffusion, Bundle), split.ItemsRun(1, StageNames.Verifier, Bundle)));

        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        foreach (var (name, png) in one)
            Assert.True(PixelsClose(png, two[name]), $"{name} differs between one silo and two silos");
    }

    [Fact]
    public async Task A_prompt_over_the_bundles_token_limit_fails_alone_naming_the_limit_and_the_other_prompts_complete()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(Silos(StageNames.All), folders);
        var tooLong = string.Join(' ', Enumerable.Repeat("cat", 400));
        var status = await RunAsync(grid, "bad-prompt", GenerateSpec.ForPrompts([Prompts[0], tooLong, Prompts[1]], 1, 1, FewSteps), JobState.CompletedWithErrors);
        Assert.Equal((3, 2, 1), (status.Total, status.Done, status.Failed));
        var error = Assert.Single(status.Errors);
        Assert.Equal(1, error.Index);
        Assert.Contains("over t2i.max_prompt_tokens 128", error.Message);
    }

    [Fact]
    public async Task Prompts_for_a_class_bundle_and_classes_for_a_text_to_image_bundle_are_refused_at_submit_naming_the_bundle()
    {
        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(Silos(StageNames.All), folders);
        var prompts = await Assert.ThrowsAsync<ArgumentException>(() => grid.Client.GetGrain<IJobGrain>(TestInputs.JobId("prompts-to-class"))
            .Start(new JobRequest(JobKind.Generate, GridTestFolders.BundleId, Generate: GenerateSpec.ForPrompts(Prompts, 1, 0))));
        Assert.Contains($"bundle '{GridTestFolders.BundleId}' has no t2i section", prompts.Message);
        var classes = await Assert.ThrowsAsync<ArgumentException>(() => grid.Client.GetGrain<IJobGrain>(TestInputs.JobId("classes-to-t2i"))
            .Start(new JobRequest(JobKind.Generate, Bundle, Generate: new GenerateSpec([1, 2], 1, 0))));
        Assert.Contains($"bundle '{Bundle}' is text-to-image", classes.Message);
        var both = await Assert.ThrowsAsync<ArgumentException>(() => grid.Client.GetGrain<IJobGrain>(TestInputs.JobId("both"))
            .Start(new JobRequest(JobKind.Generate, Bundle, Generate: GenerateSpec.ForPrompts(Prompts, 1, 0) with { Classes = [1] })));
        Assert.Contains("classes or prompts, not both", both.Message);
    }

    static async Task<JobStatus> RunAsync(GridTestCluster grid, string what, GenerateSpec request, JobState expected = JobState.Completed)
    {
        var id = TestInputs.JobId(what);
        await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Generate, Bundle, Generate: request));
        var status = await grid.WaitForJobAsync(id, Deadline);
        Assert.True(status.State == expected, GridTestCluster.Describe(status));
        return status;
    }

    static async Task<(JsonElement Manifest, List<JsonElement> Records)> ManifestAsync(GridTestFolders folders, JobStatus status)
    {
        var manifest = JsonDocument.Parse(await folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        return (manifest, await ManifestItems.ReadAsync(manifest, async n => await folders.Store.GetAsync(n) ?? []));
    }

    static async Task<Dictionary<string, byte[]>> ImagesAsync(GridTestFolders folders, JobStatus status)
    {
        var (_, records) = await ManifestAsync(folders, status);
        var images = new Dictionary<string, byte[]>();
        foreach (var r in records)
        {
            var output = r.GetProperty("output").GetString()!;
            images[$"{output[(status.OutputPrefix.Length + 1)..]} (candidate {r.GetProperty("candidate").GetInt32()})"] = (await folders.Store.GetAsync(output))!;
        }
        return images;
    }

    /// <summary>
    /// Equal up to one grey level per channel: conditions computed in another batch may differ in the last float bits, which
    /// can move a pixel across a rounding boundary; a different sample or another winner differs far more.
    /// </summary>
    static bool PixelsClose(byte[] a, byte[] b)
    {
        var (x, y) = (StbImageSharp.ImageResult.FromMemory(OutputProvenance.Untagged(a)), StbImageSharp.ImageResult.FromMemory(OutputProvenance.Untagged(b)));
        return x.Data.Length == y.Data.Length && x.Data.Zip(y.Data).All(p => Math.Abs(p.First - p.Second) <= 1);
    }
}
