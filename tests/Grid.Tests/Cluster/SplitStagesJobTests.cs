using static RAE.Grid.Grains.Storage.OutputProvenance;
using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Jobs on a two-silo cluster whose silos host different stages (silo 0: encoder + diffusion, silo 1: decoder), so
/// every item crosses silos between its stages.
/// </summary>
[Collection(SplitStagesCluster.Name)]
public sealed class SplitStagesJobTests(SplitStagesClusterFixture fixture)
{
    static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(3);
    readonly GridTestCluster _grid = fixture.Grid;
    RaeBundle Bundle => RaeBundle.Load(_grid.Folders.BundlePath);

    async Task<byte[]> ReadAsync(string name) =>
        await _grid.Folders.Store.GetAsync(name) ?? throw new Xunit.Sdk.XunitException($"'{name}' is not in the store");

    [Fact]
    public async Task A_reconstruct_job_of_many_images_completes_with_encoder_on_silo_0_and_decoder_on_silo_1()
    {
        const int count = 24;
        var before = _grid.ItemsRunSnapshot();
        var id = TestInputs.JobId("reconstruct");
        var images = TestInputs.RandomPngs(count);
        var started = await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, images));
        Assert.Equal(JobState.Running, started.State);
        Assert.Equal(count, started.Total);

        var status = await _grid.WaitForJobAsync(id, JobDeadline);
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.Equal(count, status.Done);
        Assert.True(status.RandomWeights);

        // Every output is a PNG of the bundle's image size under its deterministic name.
        var size = Bundle.Stage1.Params.InputImageSize;
        var manifest = JsonDocument.Parse(await ReadAsync(status.Manifest!)).RootElement;
        var items = await ManifestItems.ReadAsync(manifest, ReadAsync);
        Assert.Equal(count, items.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(i, items[i].GetProperty("index").GetInt32());
            Assert.Equal(images[i].Name, items[i].GetProperty("input").GetString());
            Assert.Equal("Done", items[i].GetProperty("phase").GetString());
            var output = items[i].GetProperty("output").GetString()!;
            Assert.Equal($"{status.OutputPrefix}/{i:D5}_img-{i:D2}.png", output);
            Assert.Equal((size, size), TestInputs.PngSize(await ReadAsync(output)));
        }
        Assert.Equal(count, manifest.GetProperty("counts").GetProperty("done").GetInt32());
        Assert.True(manifest.GetProperty("random_weights").GetBoolean());

        // The contact sheet exists and decodes.
        Assert.NotNull(status.ContactSheet);
        var (w, h) = TestInputs.PngSize(await ReadAsync(status.ContactSheet!));
        Assert.True(w > 0 && h > 0);

        // Which silo did what: encoder work on silo 0 only, decoder work on silo 1 only.
        var after = _grid.ItemsRunSnapshot();
        long Delta(int silo, string stage) => after[(silo, stage)] - before[(silo, stage)];
        Assert.Equal(count, Delta(0, StageNames.Encoder));
        Assert.Equal(count, Delta(1, StageNames.Decoder));
        Assert.Equal(0, Delta(0, StageNames.Decoder));
        Assert.Equal(0, Delta(1, StageNames.Encoder));
        Assert.DoesNotContain($"{StageNames.Decoder}/{GridTestFolders.BundleId}", _grid.Stages(0).Statistics.Keys);
        Assert.DoesNotContain($"{StageNames.Encoder}/{GridTestFolders.BundleId}", _grid.Stages(1).Statistics.Keys);
    }

    [Fact]
    public async Task A_generate_job_completes_with_deterministic_names_and_the_same_seed_and_item_give_identical_pngs()
    {
        var spec = new GenerateSpec(Classes: [1, 7], PerClass: 3, Seed: 1234, Sampling: new SamplingSpec(Steps: 3, Sampler: "euler", Guidance: "none"));
        async Task<JobStatus> RunAsync(string what, GenerateSpec s)
        {
            var id = TestInputs.JobId(what);
            await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Generate, GridTestFolders.BundleId, Generate: s));
            var status = await _grid.WaitForJobAsync(id, JobDeadline);
            Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
            return status;
        }
        var a = await RunAsync("generate-a", spec);
        Assert.Equal(6, a.Done);
        // Run again, and once with only the first class: its items 0-2 are the same (seed, item, class) in smaller batches.
        var b = await RunAsync("generate-b", spec);
        var c = await RunAsync("generate-c", spec with { Classes = [1] });

        string[] expected = ["00000_class1.png", "00001_class1.png", "00002_class1.png", "00003_class7.png", "00004_class7.png", "00005_class7.png"];
        var size = Bundle.Stage1.Params.InputImageSize;
        foreach (var name in expected)
        {
            var pngA = await ReadAsync($"{a.OutputPrefix}/{name}");
            var pngB = await ReadAsync($"{b.OutputPrefix}/{name}");
            Assert.Equal((size, size), TestInputs.PngSize(pngA));
            Assert.True(Untagged(pngA).SequenceEqual(Untagged(pngB)), $"{name} differs between two jobs with the same seed");
            if (name.Contains("class1"))
            {
                var pngC = await ReadAsync($"{c.OutputPrefix}/{name}");
                Assert.True(Untagged(pngA).SequenceEqual(Untagged(pngC)), $"{name} differs when generated in a smaller job");
            }
        }
        var listed = await _grid.Client.GetGrain<IOutputReaderGrain>(0).List($"{a.OutputPrefix}/");
        Assert.Equal(expected, listed.Select(n => n[(a.OutputPrefix.Length + 1)..]).Where(n => n.EndsWith(".png") && n.Contains("_class")).Order());
        // Different items of one job are different samples.
        var item0 = await ReadAsync($"{a.OutputPrefix}/{expected[0]}");
        var item1 = await ReadAsync($"{a.OutputPrefix}/{expected[1]}");
        Assert.False(Untagged(item0).SequenceEqual(Untagged(item1)));
    }

    [Fact]
    public async Task An_encode_job_writes_safetensors_shards_of_latents_with_the_item_index()
    {
        const int count = 11, shardSize = 4;
        var id = TestInputs.JobId("encode");
        var images = TestInputs.RandomPngs(count, seed: 7, prefix: "enc");
        await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Encode, GridTestFolders.BundleId, images, ShardSize: shardSize));
        var status = await _grid.WaitForJobAsync(id, JobDeadline);
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.Equal(count, status.Done);

        var latent = Bundle.Misc.LatentSize!;
        var seen = new List<long>();
        for (int shard = 0; shard * shardSize < count; shard++)
        {
            var name = $"{status.OutputPrefix}/latents-{shard:D5}.safetensors";
            var path = _grid.Folders.Store.PathOf(name);
            Assert.True(File.Exists(path), $"{name} missing");
            var n = Math.Min(shardSize, count - shard * shardSize);
            using var file = SafeTensorsFile.Open(path);
            using var latents = file.Load("latents");
            using var index = file.Load("index");
            Assert.Equal([n, latent[0], latent[1], latent[2]], latents.shape);
            Assert.Equal(TorchSharp.torch.ScalarType.Float32, latents.dtype);
            Assert.True(latents.isfinite().all().item<bool>());
            var indices = index.data<long>().ToArray();
            Assert.Equal(Enumerable.Range(shard * shardSize, n).Select(i => (long)i), indices);
            var names = JsonSerializer.Deserialize<string[]>(file.Metadata["names"])!;
            Assert.Equal(indices.Select(i => images[i].Name), names);
            seen.AddRange(indices);
        }
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), seen);
        Assert.Equal(JobKind.Encode.ToString(), JsonDocument.Parse(await ReadAsync(status.Manifest!)).RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_bad_image_fails_only_its_own_item_with_an_error_naming_it()
    {
        var images = TestInputs.RandomPngs(6, seed: 3, prefix: "ok").ToList();
        images.Insert(2, new ImageSource("broken.png", "this is not an image"u8.ToArray()));
        var id = TestInputs.JobId("bad-image");
        await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, images.ToArray()));
        var status = await _grid.WaitForJobAsync(id, JobDeadline);

        Assert.True(status.State == JobState.CompletedWithErrors, GridTestCluster.Describe(status));
        Assert.Equal(6, status.Done);
        Assert.Equal(1, status.Failed);
        var error = Assert.Single(status.Errors);
        Assert.Equal(2, error.Index);
        Assert.Equal("broken.png", error.Input);
        Assert.Contains("broken.png", error.Message);
        Assert.False(await _grid.Folders.Store.ExistsAsync($"{status.OutputPrefix}/00002_broken.png"));
        Assert.True(await _grid.Folders.Store.ExistsAsync($"{status.OutputPrefix}/00003_ok-02.png"));
        var manifest = JsonDocument.Parse(await ReadAsync(status.Manifest!)).RootElement;
        var items = await ManifestItems.ReadAsync(manifest, ReadAsync);
        Assert.Equal("Failed", items[2].GetProperty("phase").GetString());
        Assert.Contains("broken.png", items[2].GetProperty("error").GetString());
        // The error comes paged from the job too.
        Assert.Equal(2, Assert.Single(await _grid.Client.GetGrain<IJobGrain>(status.JobId).GetErrors(0, 10)).Index);
    }

    [Fact]
    public async Task Starting_the_same_id_with_the_same_request_is_idempotent_and_with_another_request_is_rejected()
    {
        var id = TestInputs.JobId("idempotent");
        var request = new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(3, seed: 11));
        var job = _grid.Client.GetGrain<IJobGrain>(id);
        var first = await job.Start(request);
        // Same content, a fresh object (as a client retrying after a timeout would send).
        var again = await job.Start(request with { Images = request.Images!.Select(i => i with { Inline = i.Inline!.ToArray() }).ToArray() });
        Assert.Equal(first.Total, again.Total);
        Assert.Equal(first.Created, again.Created);

        var other = request with { Images = TestInputs.RandomPngs(3, seed: 12) };
        var rejected = await Assert.ThrowsAsync<InvalidOperationException>(() => job.Start(other));
        Assert.Contains(id, rejected.Message);

        var status = await _grid.WaitForJobAsync(id, JobDeadline);
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.Equal(3, status.Done); // the first request's items, run once
        Assert.Equal(id, Assert.Single(await _grid.Client.GetGrain<IJobIndexGrain>(0).List(), j => j == id));
    }

    [Fact]
    public async Task A_job_for_an_unknown_bundle_is_rejected_naming_the_bundle()
    {
        var id = TestInputs.JobId("unknown-bundle");
        var job = _grid.Client.GetGrain<IJobGrain>(id);
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            job.Start(new JobRequest(JobKind.Reconstruct, "no-such-bundle", TestInputs.RandomPngs(1))));
        Assert.Contains("'no-such-bundle'", e.Message);
        Assert.Equal(JobState.Unknown, (await job.GetStatus()).State);
    }
}
