using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// Malformed inputs of every kind, one row each: requests (every bounded field, rejected at submit before any item
/// runs), images (failing their item alone while the rest of the batch completes), bundle files, configuration and
/// checkpoints. Each row names the text its clean error must carry: the field or item, and the limit it broke.
/// </summary>
[Collection(LimitsCluster.Name)]
public sealed class BadInputTableTests(LimitsClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(3);
    readonly GridTestCluster _grid = fixture.Grid;

    /// <summary>One malformed input: how to get its error message, and what the message must say.</summary>
    public sealed record Row(Func<BadInputTableTests, Task<string>> Error, params string[] Expected);

    static JobRequest Gen(SamplingSpec? sampling = null, int[]? classes = null, int perClass = 1, int? size = null) =>
        new(JobKind.Generate, GridTestFolders.BundleId, Generate: new GenerateSpec(classes ?? [1], perClass, 0, sampling, size));

    static JobRequest BestOf(int n, int keep, string? verifier = null, int perClass = 1, int[]? classes = null) =>
        new(JobKind.Generate, GridTestFolders.BundleId, Generate: new GenerateSpec(classes ?? [1], perClass, 0, BestOf: new BestOfSpec(n, keep, verifier)));

    static JobRequest Prompts(params string[] prompts) =>
        new(JobKind.Generate, GridTestFolders.BundleId, Generate: GenerateSpec.ForPrompts(prompts, 1, 0));

    static JobRequest Recon(params ImageSource[] images) => new(JobKind.Reconstruct, GridTestFolders.BundleId, Images: images);

    static JobRequest Images(string name = "a.png", string? uri = "uploads/a.png") => Recon(new ImageSource(name, null, uri));

    static readonly string Absent = "uploads/sha256/" + new string('0', 64) + ".png";

    static readonly Dictionary<string, Row> Rows = new()
    {
        // Requests: refused at submit, naming the field and the limit (Grid:Limits, the bundle's rules, MaxItemsPerJob).
        ["request steps 100000000"] = new(t => t.Rejected(Gen(new SamplingSpec(Steps: 100_000_000))), "steps: 100000000 is over MaxSteps 1000"),
        ["request steps 1001"] = new(t => t.Rejected(Gen(new SamplingSpec(Steps: 1001))), "steps: 1001 is over MaxSteps 1000"),
        ["request steps 1"] = new(t => t.Rejected(Gen(new SamplingSpec(Steps: 1))), "steps: must be at least 2"),
        ["request steps -5"] = new(t => t.Rejected(Gen(new SamplingSpec(Steps: -5))), "steps: must be at least 2, got -5"),
        ["request scale NaN"] = new(t => t.Rejected(Gen(new SamplingSpec(Guidance: "cfg", Scale: double.NaN))), "scale: must be a finite number >= 0, got NaN"),
        ["request scale +Infinity"] = new(t => t.Rejected(Gen(new SamplingSpec(Guidance: "cfg", Scale: double.PositiveInfinity))), "scale: must be a finite number"),
        ["request scale -Infinity"] = new(t => t.Rejected(Gen(new SamplingSpec(Scale: double.NegativeInfinity))), "scale: must be a finite number"),
        ["request scale -1"] = new(t => t.Rejected(Gen(new SamplingSpec(Scale: -1))), "scale: must be a finite number >= 0, got -1"),
        ["request scale 1e6"] = new(t => t.Rejected(Gen(new SamplingSpec(Guidance: "cfg", Scale: 1e6))), "scale: 1000000 is over MaxGuidanceScale 100"),
        ["request t-max 7"] = new(t => t.Rejected(Gen(new SamplingSpec(TMax: 7))), "t_max: must be in [0, 1], got 7"),
        ["request t-min -0.5"] = new(t => t.Rejected(Gen(new SamplingSpec(TMin: -0.5))), "t_min: must be in [0, 1], got -0.5"),
        ["request t-min NaN"] = new(t => t.Rejected(Gen(new SamplingSpec(TMin: double.NaN))), "t_min: must be in [0, 1], got NaN"),
        ["request t-max Infinity"] = new(t => t.Rejected(Gen(new SamplingSpec(TMax: double.PositiveInfinity))), "t_max: must be in [0, 1]"),
        ["request t-min above t-max"] = new(t => t.Rejected(Gen(new SamplingSpec(Guidance: "cfg", Scale: 2, TMin: 0.8, TMax: 0.3))), "t_min: (0.8) is greater than t_max (0.3)"),
        ["request sampler misspelt"] = new(t => t.Rejected(Gen(new SamplingSpec(Sampler: "eulr"))), "sampler: 'eulr' is not one of euler, heun"),
        ["request guidance unknown"] = new(t => t.Rejected(Gen(new SamplingSpec(Guidance: "bogus"))), "guidance: 'bogus' is not one of none, cfg, autoguidance"),
        ["request best-of n 0"] = new(t => t.Rejected(BestOf(0, 1)), "best_of.n: 0 is outside 1..MaxBestOf 256"),
        ["request best-of n 100000"] = new(t => t.Rejected(BestOf(100_000, 4)), "best_of.n: 100000 is outside 1..MaxBestOf 256"),
        ["request best-of keep 0"] = new(t => t.Rejected(BestOf(4, 0)), "best_of.keep: 0 is outside 1..n (4)"),
        ["request best-of keep over n"] = new(t => t.Rejected(BestOf(4, 5)), "best_of.keep: 5 is outside 1..n (4)"),
        ["request best-of verifier path"] = new(t => t.Rejected(BestOf(4, 2, "../probe")), "best_of.verifier: '../probe' is not a verifier name"),
        ["request best-of bundle without verifiers"] = new(t => t.Rejected(BestOf(4, 2)), "verifier: bundle 'tiny-random' has no verifiers"),
        ["request best-of outputs over MaxItemsPerJob"] = new(t => t.Rejected(BestOf(8, 8, perClass: 1_000_000, classes: [0, 1])),
            "2 classes × 1000000 × keep 8 outputs exceed MaxItemsPerJob 10000000"),
        ["request prompt blank"] = new(t => t.Rejected(Prompts("a cat", " ")), "prompts[1]: empty"),
        ["request prompt 3000 characters"] = new(t => t.Rejected(Prompts(new string('a', 3000))), "prompts[0]: 3000 characters is over MaxPromptChars 2000"),
        ["request prompts 10001 entries"] = new(t => t.Rejected(Prompts(Enumerable.Repeat("a cat", 10_001).ToArray())), "prompts: 10001 entries is over MaxPrompts 10000"),
        ["request prompts and classes"] = new(t => t.Rejected(Prompts("a cat") with { Generate = GenerateSpec.ForPrompts(["a cat"], 1, 0) with { Classes = [1] } }),
            "classes: a Generate job has classes or prompts, not both"),
        ["request prompts for a class-conditional bundle"] = new(t => t.Rejected(Prompts("a cat")),
            $"bundle '{GridTestFolders.BundleId}' has no t2i section: prompts need a text-to-image bundle"),
        ["request per-class 0"] = new(t => t.Rejected(Gen(perClass: 0)), "per_class: must be at least 1, got 0"),
        ["request per-class 2000000"] = new(t => t.Rejected(Gen(perClass: 2_000_000)), "per_class: 2000000 is over MaxPerClass 1000000"),
        ["request classes empty"] = new(t => t.Rejected(Gen(classes: [])), "classes: a Generate job needs at least one class"),
        ["request classes 20000 entries"] = new(t => t.Rejected(Gen(classes: new int[20_000])), "classes: 20000 entries is over MaxClasses 10000"),
        ["request class negative"] = new(t => t.Rejected(Gen(classes: [3, -1])), "classes[1]: -1 is negative"),
        ["request items over MaxItemsPerJob"] = new(t => t.Rejected(Gen(classes: Enumerable.Range(0, 11).ToArray(), perClass: 1_000_000)), "exceed MaxItemsPerJob 10000000"),
        ["request output size 4"] = new(t => t.Rejected(Gen(size: 4)), "output_size: 4 is outside MinOutputSize 8..MaxOutputSize 4096"),
        ["request output size 100000"] = new(t => t.Rejected(Gen(size: 100_000)), "output_size: 100000 is outside MinOutputSize 8..MaxOutputSize 4096"),
        ["request no generate settings"] = new(t => t.Rejected(new JobRequest(JobKind.Generate, GridTestFolders.BundleId)), "a Generate job needs its generate settings"),
        ["request bundle id empty"] = new(t => t.Rejected(Gen() with { BundleId = "" }), "bundle id is empty"),
        ["request job id a/../b (grain)"] = new(t => t.Rejected(Gen(), "a/../b"), "job id: 'a/../b' is not allowed (pattern"),
        ["request job id a/../b (client)"] = new(t => t.ClientRefuses("a/../b"), "job id: 'a/../b' is not allowed"),
        ["request job id with '..'"] = new(t => t.Rejected(Gen(), "a..b"), "job id: 'a..b' is not allowed", "no '..'"),
        ["request job id 200 characters"] = new(t => t.Rejected(Gen(), new string('j', 200)), "is 200 characters, over MaxLength 128"),
        ["request job id with a space"] = new(t => t.Rejected(Gen(), "my job"), "job id: 'my job' is not allowed"),
        ["request job id with a newline"] = new(t => t.Rejected(Gen(), "job\nid"), "job id: 'job\\u000aid' is not allowed"),
        ["request job id starting with a dot"] = new(t => t.Rejected(Gen(), ".hidden"), "job id: '.hidden' is not allowed"),
        ["request shard size 0"] = new(t => t.Rejected(new JobRequest(JobKind.Encode, GridTestFolders.BundleId, InputPrefix: "uploads/", ShardSize: 0)), "shard_size: must be at least 1, got 0"),
        ["request shard size 100000"] = new(t => t.Rejected(new JobRequest(JobKind.Encode, GridTestFolders.BundleId, InputPrefix: "uploads/", ShardSize: 100_000)), "shard_size: 100000 is over MaxShardSize 4096"),
        ["request image name empty"] = new(t => t.Rejected(Images(name: "")), "images[0].name: is empty"),
        ["request image name 300 characters"] = new(t => t.Rejected(Images(name: new string('n', 296) + ".png")), "images[0].name:", "is 300 characters, over MaxNameLength 256"),
        ["request image name with a newline"] = new(t => t.Rejected(Images(name: "a\nb.png")), "images[0].name: 'a\\u000ab.png' contains a control character"),
        ["request image uri with '..'"] = new(t => t.Rejected(Images(uri: "../../etc/passwd")), "images[0].uri: store name '../../etc/passwd' has an empty, '.' or '..' segment"),
        ["request image uri absolute"] = new(t => t.Rejected(Images(uri: "/etc/passwd")), "images[0].uri: store name '", "must be relative", ClientErrors.PathMark),
        ["request image uri http scheme"] = new(t => t.Rejected(Images(uri: "http://169.254.169.254/x.png")), "images[0].uri: '", "has a URI scheme 'http:'"),
        ["request image uri file scheme"] = new(t => t.Rejected(Images(uri: "file:x.png")), "images[0].uri: 'file:x.png' has a URI scheme 'file:'"),
        ["request image uri 2000 characters"] = new(t => t.Rejected(Images(uri: new string('u', 2000))), "images[0].uri:", "is longer than 1024 characters"),
        ["request image without bytes or uri"] = new(t => t.Rejected(Images(uri: null)), "image 0 ('a.png') has neither inline bytes nor a URI"),
        ["request output prefix with '..'"] = new(t => t.Rejected(Gen() with { OutputPrefix = "jobs/../other" }), "output prefix: store name 'jobs/../other' has an empty, '.' or '..' segment"),
        ["request output prefix with scheme"] = new(t => t.Rejected(Gen() with { OutputPrefix = "s3://bucket/x" }), "output_prefix: '", "has a URI scheme 's3:'"),
        ["request input list with '..'"] = new(t => t.Rejected(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, InputList: "uploads/../x.tsv")), "input list: store name 'uploads/../x.tsv' has an empty"),
        ["request input prefix with scheme"] = new(t => t.Rejected(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, InputPrefix: "https://example.com/")), "input_prefix: '", "has a URI scheme 'https:'"),
        ["request images from two sources"] = new(t => t.Rejected(Images() with { InputPrefix = "uploads/" }), "needs its images from exactly one of"),

        // Images: each fails its own item, naming it and the limit, while the good images of the same batch are done.
        ["image zero bytes"] = new(t => t.ItemError("empty.png"), "empty.png: empty file"),
        ["image truncated PNG"] = new(t => t.ItemError("truncated.png"), "truncated.png: "),
        ["image 8192x8192 PNG"] = new(t => t.ItemError("huge.png"), "huge.png: pixels: 8192x8192 = 67108864 is over MaxImagePixels 16777216"),
        ["image header claims 16384x16384"] = new(t => t.ItemError("liar.png"), "liar.png: 16384x16384 exceeds MaxSide 8192"),
        ["image giant side 20000x1"] = new(t => t.ItemError("wide.png"), "wide.png: 20000x1 exceeds MaxSide 8192"),
        ["image text file named .png"] = new(t => t.ItemError("notes.png"), "notes.png: not a PNG, JPEG, BMP, GIF or TGA image"),
        ["image random bytes named .jpg"] = new(t => t.ItemError("noise.jpg"), "noise.jpg: not a PNG, JPEG, BMP, GIF or TGA image"),
        ["image PNG with corrupt pixel data"] = new(t => t.ItemError("corrupt.png"), "corrupt.png: cannot decode"),
        ["image zero-width header"] = new(t => t.ItemError("zero-width.png"), "zero-width.png: "),
        ["image URI of nothing stored"] = new(t => t.ItemError("missing.png"), "missing.png: no inline bytes and nothing stored at", Absent),

        // Bundle files: every problem named by its field.
        ["bundle not JSON"] = new(t => t.BundleError(_ => "{ not json"), "not a valid bundle JSON"),
        ["bundle unknown key"] = new(t => t.BundleError(b => b["stage_one"] = new JsonObject()), "stage_one"),
        ["bundle missing encoder weights path"] = new(t => t.BundleError(b => b["stage_1"]!["params"]!.AsObject().Remove("encoder_weights_path")), "stage_1.params.encoder_weights_path: missing"),
        ["bundle wrong decoder path"] = new(t => t.BundleError(b => b["stage_1"]!["params"]!["pretrained_decoder_path"] = "nope/decoder.safetensors"), "stage_1.params.pretrained_decoder_path: file not found"),
        ["bundle num_steps 1"] = new(t => t.BundleError(b => b["sampler"]!["params"]!["num_steps"] = 1), "sampler.params.num_steps"),
        ["bundle guidance t_min above t_max"] = new(t => t.BundleError(b => { b["guidance"]!["t_min"] = 0.9; b["guidance"]!["t_max"] = 0.1; return null; }), "guidance.t_min"),
        ["bundle dtype fp8"] = new(t => t.BundleError(b => b["compute"]!["dtype"] = "fp8"), "compute.dtype"),

        // Configuration: start-up validation names the setting and its bounds.
        ["config Limits.MaxSteps 0"] = new(t => t.ConfigError(o => o.Limits.MaxSteps = 0), "Grid.Limits.MaxSteps: must be between 2 and 1000000, got 0"),
        ["config Limits.MaxGuidanceScale NaN"] = new(t => t.ConfigError(o => o.Limits.MaxGuidanceScale = double.NaN), "Grid.Limits.MaxGuidanceScale: must be a finite number >= 1, got NaN"),
        ["config Limits.ItemComputeSeconds 0"] = new(t => t.ConfigError(o => o.Limits.ItemComputeSeconds = 0), "Grid.Limits.ItemComputeSeconds: must be a number of seconds in (0, 86400], got 0"),
        ["config Limits.MaxImagePixels 0"] = new(t => t.ConfigError(o => o.Limits.MaxImagePixels = 0), "Grid.Limits.MaxImagePixels: must be at least 1, got 0"),
        ["config Limits.MaxShardSize 0"] = new(t => t.ConfigError(o => o.Limits.MaxShardSize = 0), "Grid.Limits.MaxShardSize: must be between 1 and 1000000, got 0"),
        ["config Limits.MaxNameLength 5000"] = new(t => t.ConfigError(o => o.Limits.MaxNameLength = 5000), "Grid.Limits.MaxNameLength: must be between 1 and 1024, got 5000"),
        ["config Limits output sizes crossed"] = new(t => t.ConfigError(o => { o.Limits.MinOutputSize = 512; o.Limits.MaxOutputSize = 64; }), "Grid.Limits.MinOutputSize/MaxOutputSize", "got 512..64"),
        ["config Pipeline.PartitionSize 0"] = new(t => t.ConfigError(o => o.Pipeline.PartitionSize = 0), "Grid.Pipeline.PartitionSize: must be between 1 and 100000, got 0"),
        ["config MaxPayloadBytes 10"] = new(t => t.ConfigError(o => o.MaxPayloadBytes = 10), "Grid.MaxPayloadBytes: must be between 1 KiB and Orleans' 100 MiB message limit, got 10"),
        ["config unknown stage"] = new(t => t.ConfigError(o => o.Stages = ["painter"]), "Grid.Stages: unknown stage 'painter'"),
        ["config StandIn negative"] = new(t => t.ConfigError(o => o.StandIn["diffusion"] = -5), "Grid.StandIn.diffusion: service time must be between 0 and 60000 ms per batch, got -5"),
        ["config Batching MaxBatch 0"] = new(t => t.ConfigError(o => o.Batching["encoder"] = new BatchingOptions { MaxBatch = 0 }), "Grid.Batching.encoder.MaxBatch: must be at least 1, got 0"),

        // Checkpoints: strict loading lists every mismatch; broken files name the file and the problem.
        ["checkpoint missing key"] = new(_ => LoadError(d => d.Remove("bias")), "ckpt.safetensors does not match", "missing (1): bias"),
        ["checkpoint unexpected key"] = new(_ => LoadError(d => d["extra"] = zeros(1)), "unexpected (1): extra"),
        ["checkpoint mis-shaped tensor"] = new(_ => LoadError(d => d["weight"] = zeros(3, 3)), "mis-shaped (1): weight: checkpoint [3,3] vs model [2,3]"),
        ["checkpoint truncated safetensors header"] = new(_ => SafeTensorsError(_ => [1, 2, 3, 4, 5]), "truncated.safetensors"),
        ["checkpoint bad dtype"] = new(_ => SafeTensorsError(_ => WithHeader("{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 4)), "unsupported dtype 'F8'"),
        ["checkpoint header not JSON"] = new(_ => SafeTensorsError(_ => WithHeader("{not json", 4)), "not JSON"),
        ["checkpoint header length past the end"] = new(_ => SafeTensorsError(_ => WithHeader("{}", 0, 1000)), "truncated"),
    };

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in Rows.Keys) names.Add(name);
        return names;
    }

    [Fact]
    public void The_table_has_at_least_forty_rows_across_every_kind_of_input()
    {
        Assert.True(Rows.Count >= 40, $"{Rows.Count} rows");
        foreach (var kind in new[] { "request", "image", "bundle", "config", "checkpoint" })
            Assert.Contains(Rows.Keys, k => k.StartsWith(kind + " "));
    }

    [Theory, MemberData(nameof(Names))]
    public async Task A_malformed_input_gets_a_clean_error_naming_it_and_the_limit(string row)
    {
        var message = await Rows[row].Error(this);
        output.WriteLine(message);
        foreach (var expected in Rows[row].Expected) Assert.Contains(expected, message);
    }

    /// <summary>The request is refused at submit with an <see cref="ArgumentException"/>, and no job exists after.</summary>
    async Task<string> Rejected(JobRequest request, string? jobId = null)
    {
        var id = jobId ?? TestInputs.JobId("bad");
        var job = _grid.Client.GetGrain<IJobGrain>(id);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => job.Start(request));
        Assert.Equal(JobState.Unknown, (await job.GetStatus()).State);
        return error.Message;
    }

    async Task<string> ClientRefuses(string jobId)
    {
        var before = _grid.ItemsRunSnapshot();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new GridClient(_grid.Client).SubmitAsync(Gen(), jobId));
        Assert.Equal(before, _grid.ItemsRunSnapshot());
        return error.Message;
    }

    // One reconstruct job holds every bad image and some good ones, so they share batches; it runs once for all rows.
    static readonly SemaphoreSlim ImageJobOnce = new(1, 1);
    static Dictionary<string, JsonElement>? _imageItems;

    static ImageSource[] BadImages()
    {
        var good = TestInputs.RandomPngs(1)[0].Inline!;
        return
        [
            new("empty.png", []),
            new("truncated.png", good[..Math.Min(good.Length, 60)]),
            new("huge.png", TestPngs.Black(8192, 8192)),
            new("liar.png", TestPngs.HeaderOnly(16_384, 16_384)),
            new("wide.png", TestPngs.Black(20_000, 1)),
            new("notes.png", Encoding.UTF8.GetBytes("these are my notes, not a picture")),
            new("noise.jpg", Enumerable.Range(0, 512).Select(i => (byte)(i * 131 % 251)).ToArray()),
            new("corrupt.png", TestPngs.HeaderOnly(64, 64)),
            new("zero-width.png", TestPngs.HeaderOnly(0, 16)),
            new("missing.png", null, Absent),
        ];
    }

    /// <summary>The error of the item whose input is <paramref name="input"/>, after checking every good image of its job was done.</summary>
    async Task<string> ItemError(string input)
    {
        await ImageJobOnce.WaitAsync();
        try
        {
            if (_imageItems is null)
            {
                var good = TestInputs.RandomPngs(4, seed: 7, prefix: "good");
                var id = TestInputs.JobId("bad-images");
                await _grid.Client.GetGrain<IJobGrain>(id).Start(Recon([.. good[..2], .. BadImages(), .. good[2..]]));
                var status = await _grid.WaitForJobAsync(id, JobDeadline);
                Assert.True(status.State == JobState.CompletedWithErrors, GridTestCluster.Describe(status));
                var manifest = JsonDocument.Parse(await _grid.Folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
                var items = await ManifestItems.ReadAsync(manifest, async n => await _grid.Folders.Store.GetAsync(n) ?? []);
                _imageItems = items.ToDictionary(i => i.GetProperty("input").GetString()!);
            }
        }
        finally { ImageJobOnce.Release(); }
        // The rest of the batch completes: every good image is done.
        foreach (var (name, item) in _imageItems.Where(kv => kv.Key.StartsWith("good-")))
            Assert.True(item.GetProperty("phase").GetString() == "Done", $"{name}: {item}");
        var bad = _imageItems[input];
        Assert.Equal("Failed", bad.GetProperty("phase").GetString());
        Assert.Equal(1, bad.GetProperty("attempts").GetInt32()); // a bad input is not retried
        return bad.GetProperty("error").GetString()!;
    }

    /// <summary>The tiny bundle's file changed by <paramref name="change"/> (or replaced by its text), loaded: its validation error.</summary>
    Task<string> BundleError(Func<JsonObject, object?> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(_grid.Folders.BundlePath))!.AsObject();
        var text = change(json) as string ?? json.ToJsonString();
        var path = Path.Combine(Path.GetDirectoryName(_grid.Folders.BundlePath)!, $"bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        try { return Task.FromResult(Assert.Throws<BundleValidationException>(() => RaeBundle.Load(path)).Message); }
        finally { File.Delete(path); }
    }

    /// <summary>Start-up validation of grid options (otherwise valid) changed by <paramref name="change"/>.</summary>
    Task<string> ConfigError(Action<GridOptions> change)
    {
        var options = new GridOptions { Bundles = { [GridTestFolders.BundleId] = _grid.Folders.BundlePath } };
        Assert.Empty(options.Validate());
        change(options);
        var problems = options.Validate();
        Assert.NotEmpty(problems);
        return Task.FromResult(string.Join("\n", problems));
    }

    /// <summary>A Linear(3 → 2)'s state dict changed by <paramref name="change"/>, loaded strictly.</summary>
    static Task<string> LoadError(Action<Dictionary<string, Tensor>> change)
    {
        using var scope = NewDisposeScope();
        var module = nn.Linear(3, 2);
        var dict = new Dictionary<string, Tensor> { ["weight"] = zeros(2, 3), ["bias"] = zeros(2) };
        change(dict);
        return Task.FromResult(Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(module, dict, "ckpt.safetensors")).Message);
    }

    /// <summary>A safetensors file of the given bytes, read: the <see cref="InvalidDataException"/>, which names the file.</summary>
    static Task<string> SafeTensorsError(Func<string, byte[]> bytes)
    {
        var dir = Directory.CreateTempSubdirectory("rae-bad-ckpt-").FullName;
        var path = Path.Combine(dir, "truncated.safetensors");
        try
        {
            File.WriteAllBytes(path, bytes(path));
            var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.ReadAll(path));
            Assert.Contains(path, error.Message);
            return Task.FromResult(error.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static byte[] WithHeader(string header, int dataBytes, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        return BitConverter.GetBytes(declaredLength ?? (ulong)h.Length).Concat(h).Concat(new byte[dataBytes]).ToArray();
    }
}
