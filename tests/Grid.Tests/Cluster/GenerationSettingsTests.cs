using RAE.Grid.Grains.Storage;
using System.Text.Json;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// One path for generation settings: a request leaves unset what its user did not choose, the job resolves it against
/// the bundle's defaults when it starts (through the diffusion stage on silo 0, which holds the bundle), rejects a bad
/// value there naming the field, and every item samples the resolved settings. The tiny bundle's default is
/// AutoGuidance 1.42 on [0, 1]; "tiny-interval" is the same weights with the interval [0.2, 0.7].
/// </summary>
[Collection(SplitStagesCluster.Name)]
public sealed class GenerationSettingsTests(SplitStagesClusterFixture fixture)
{
    static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(3);
    readonly GridTestCluster _grid = fixture.Grid;

    // Two items, three steps: enough for guidance to change every pixel, fast on CPU.
    static GenerateSpec Spec(SamplingSpec sampling) => new([2], PerClass: 2, Seed: 3, sampling with { Steps = 3 });

    async Task<(JobStatus Status, byte[][] Pngs, JsonElement Settings)> RunAsync(string what, string bundleId, SamplingSpec sampling)
    {
        var id = TestInputs.JobId(what);
        await _grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Generate, bundleId, Generate: Spec(sampling)));
        var status = await _grid.WaitForJobAsync(id, JobDeadline);
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        var pngs = new List<byte[]>();
        foreach (var name in new[] { "00000_class2.png", "00001_class2.png" })
            pngs.Add(await _grid.Folders.Store.GetAsync($"{status.OutputPrefix}/{name}") ?? throw new Xunit.Sdk.XunitException($"{name} missing"));
        var manifest = JsonDocument.Parse(await _grid.Folders.Store.GetAsync(status.Manifest!) ?? []).RootElement;
        return (status, pngs.ToArray(), manifest.GetProperty("settings").Clone());
    }

    // Outputs of different jobs differ only in their provenance chunk (which names the job): compare what was encoded.
    static bool Same(byte[][] a, byte[][] b) =>
        a.Zip(b).All(p => OutputProvenance.Untagged(p.First).AsSpan().SequenceEqual(OutputProvenance.Untagged(p.Second)));

    [Fact]
    public async Task A_guidance_method_alone_samples_exactly_what_the_bundle_default_samples()
    {
        var byDefault = await RunAsync("defaults", GridTestFolders.BundleId, new SamplingSpec());
        var methodOnly = await RunAsync("autoguidance-only", GridTestFolders.BundleId, new SamplingSpec(Guidance: "autoguidance"));
        Assert.True(Same(byDefault.Pngs, methodOnly.Pngs), "--guidance autoguidance alone sampled differently from the bundle default");
        // What the job recorded is the bundle's scale, not a silent 1.0 (no guidance) ...
        Assert.Equal("autoguidance", methodOnly.Settings.GetProperty("guidance").GetString());
        Assert.Equal(1.42, methodOnly.Settings.GetProperty("scale").GetDouble());
        Assert.Equal((0.0, 1.0), (methodOnly.Settings.GetProperty("t_min").GetDouble(), methodOnly.Settings.GetProperty("t_max").GetDouble()));
        // ... and the scale matters: an explicit 1.0 (no guidance) gives other images.
        var unguided = await RunAsync("autoguidance-scale-1", GridTestFolders.BundleId, new SamplingSpec(Guidance: "autoguidance", Scale: 1.0));
        Assert.False(Same(byDefault.Pngs, unguided.Pngs), "guidance scale 1.42 and 1.0 gave the same images");
    }

    [Fact]
    public async Task Cfg_with_a_scale_keeps_the_bundles_interval_unless_t_min_and_t_max_are_given()
    {
        var cfg = await RunAsync("cfg-2", GridTestFolders.IntervalBundleId, new SamplingSpec(Guidance: "cfg", Scale: 2));
        Assert.Equal(("cfg", 2.0), (cfg.Settings.GetProperty("guidance").GetString(), cfg.Settings.GetProperty("scale").GetDouble()));
        Assert.Equal((0.2, 0.7), (cfg.Settings.GetProperty("t_min").GetDouble(), cfg.Settings.GetProperty("t_max").GetDouble()));

        var explicitSame = await RunAsync("cfg-2-same-interval", GridTestFolders.IntervalBundleId, new SamplingSpec(Guidance: "cfg", Scale: 2, TMin: 0.2, TMax: 0.7));
        Assert.True(Same(cfg.Pngs, explicitSame.Pngs), "the bundle's interval given explicitly sampled differently from leaving it unset");
        var whole = await RunAsync("cfg-2-whole-interval", GridTestFolders.IntervalBundleId, new SamplingSpec(Guidance: "cfg", Scale: 2, TMin: 0, TMax: 1));
        Assert.False(Same(cfg.Pngs, whole.Pngs), "a given interval [0, 1] was ignored");
        Assert.Equal((0.0, 1.0), (whole.Settings.GetProperty("t_min").GetDouble(), whole.Settings.GetProperty("t_max").GetDouble()));
    }

    public static TheoryData<string, SamplingSpec, string> BadSettings => new()
    {
        { "sampler", new SamplingSpec(Sampler: "eulr"), "'eulr'" },
        { "guidance", new SamplingSpec(Guidance: "bogus"), "'bogus'" },
        { "scale", new SamplingSpec(Scale: double.NaN), "NaN" },
        { "scale", new SamplingSpec(Scale: double.PositiveInfinity), "finite" },
        { "t_min", new SamplingSpec(TMin: -0.5), "[0, 1]" },
        { "t_max", new SamplingSpec(TMax: 1.5), "[0, 1]" },
        { "t_min", new SamplingSpec(Guidance: "cfg", Scale: 2, TMin: 0.8, TMax: 0.3), "greater than t_max" },
        { "steps", new SamplingSpec(Steps: 1), "at least 2" },
    };

    [Theory, MemberData(nameof(BadSettings))]
    public async Task A_bad_sampling_setting_is_rejected_at_submit_naming_the_field(string field, SamplingSpec sampling, string detail)
    {
        var before = _grid.ItemsRunSnapshot();
        var id = TestInputs.JobId("bad-" + field);
        var request = new JobRequest(JobKind.Generate, GridTestFolders.BundleId, Generate: new GenerateSpec([1], 2, 0, sampling));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _grid.Client.GetGrain<IJobGrain>(id).Start(request));
        Assert.Contains($"{field}: ", error.Message);
        Assert.Contains(detail, error.Message);
        // Rejected before any item ran: no job exists under that id, and no stage worked.
        Assert.Equal(JobState.Unknown, (await _grid.Client.GetGrain<IJobGrain>(id).GetStatus()).State);
        Assert.Equal(before, _grid.ItemsRunSnapshot());
    }
}
