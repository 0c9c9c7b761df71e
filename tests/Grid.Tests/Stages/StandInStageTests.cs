using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Models.Rae;
using RAE.Grid.Silo;
using StbImageSharp;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>
/// The service-time stand-in (Grid:StandIn): validated like every setting, and in place of a stage's forward pass it
/// takes its service time per batch and returns deterministic outputs of the right shape.
/// </summary>
public sealed class StandInStageTests : IClassFixture<StandInStageTests.TinyModel>
{
    /// <summary>The random-weight tiny bundle, loaded once (the stand-in still needs the model for its shapes).</summary>
    public sealed class TinyModel : IDisposable
    {
        public TinyModel()
        {
            Folders = new GridTestFolders();
            Model = RaeModel.Load(Folders.BundlePath);
        }

        public GridTestFolders Folders { get; }
        public RaeModel Model { get; }

        public void Dispose()
        {
            Model.Dispose();
            Folders.Dispose();
        }
    }

    readonly TinyModel _tiny;
    RaeModel Model => _tiny.Model;

    public StandInStageTests(TinyModel tiny) => _tiny = tiny;

    static StandInStage StandIn(string stage, int ms) =>
        StandInStage.For(new GridOptions { StandIn = new() { [stage] = ms } }, stage) ?? throw new InvalidOperationException("no stand-in");

    [Fact]
    public void Without_the_setting_every_stage_runs_its_model()
    {
        foreach (var stage in StageNames.All) Assert.Null(StandInStage.For(new GridOptions(), stage));
        Assert.Null(StandInStage.For(new GridOptions { StandIn = new() { [StageNames.Decoder] = 5 } }, StageNames.Encoder));
        Assert.Equal(5, StandInStage.For(new GridOptions { StandIn = new() { [StageNames.Decoder] = 5 } }, StageNames.Decoder)?.ServiceMs);
    }

    [Fact]
    public void Unknown_stages_and_out_of_range_times_are_named_in_the_error()
    {
        var problems = new GridOptions { StandIn = new() { ["upscaler"] = 10, [StageNames.Decoder] = -1, [StageNames.Diffusion] = 60_001, [StageNames.Encoder] = 0 } }
            .Validate();
        Assert.Contains(problems, p => p.Contains("Grid.StandIn") && p.Contains("'upscaler'"));
        Assert.Contains(problems, p => p.Contains("Grid.StandIn.decoder") && p.Contains("-1"));
        Assert.Contains(problems, p => p.Contains("Grid.StandIn.diffusion") && p.Contains("60001"));
        Assert.DoesNotContain(problems, p => p.Contains("Grid.StandIn.encoder"));
    }

    [Fact]
    public void The_setting_binds_from_Grid_StandIn_and_is_validated_at_start_up()
    {
        IConfiguration Config(params (string Key, string Value)[] entries) => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Grid:Bundles:{GridTestFolders.BundleId}"] = _tiny.Folders.BundlePath }
                .Concat(entries.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))).Build();

        var (grid, _, _, _, _, _) = GridSilo.ReadSettings(Config(("Grid:StandIn:encoder", "40"), ("Grid:StandIn:decoder", "20")), _tiny.Folders.Root);
        Assert.Equal(new Dictionary<string, int> { ["encoder"] = 40, ["decoder"] = 20 }, grid.StandIn);
        Assert.Empty(GridSilo.ReadSettings(Config(), _tiny.Folders.Root).Grid.StandIn);

        var error = Assert.Throws<GridConfigurationException>(() =>
            GridSilo.ReadSettings(Config(("Grid:StandIn:upscaler", "10"), ("Grid:StandIn:decoder", "-5")), _tiny.Folders.Root));
        Assert.Contains("'upscaler'", error.Message);
        Assert.Contains("Grid.StandIn.decoder", error.Message);
        Assert.Contains("-5", error.Message);
    }

    [Fact]
    public void The_encoder_stand_in_takes_its_service_time_once_per_batch_and_returns_latents_of_the_bundle_shape()
    {
        var standIn = StandIn(StageNames.Encoder, 200);
        var images = TestInputs.RandomPngs(7);
        var items = images.Select(i => (i.Name, i.Inline!)).Append(("empty.png", Array.Empty<byte>())).ToList();

        var clock = Stopwatch.StartNew();
        var results = standIn.Encode(Model, items);
        var elapsed = clock.Elapsed;

        // One service time for the whole batch of 8: at least 200 ms (0.95 absorbs clock granularity), far below 8 × 200 ms.
        Assert.InRange(elapsed.TotalMilliseconds, 190, 1400);
        Assert.Equal(8, results.Count);
        var latents = results.Take(7).Select(r => r.Value!).ToList();
        Assert.All(latents, l =>
        {
            Assert.Equal("F32", l.DType);
            Assert.Equal(Model.LatentShape, l.Shape);
            l.Validated();
        });
        // Distinct per item, and the same item gives the same latent.
        Assert.Equal(7, latents.Select(l => Convert.ToBase64String(l.Data)).Distinct().Count());
        Assert.Equal(latents[0].Data, standIn.Encode(Model, items.Take(1).ToList())[0].Value!.Data);
        var rejected = Assert.IsType<ItemRejectedException>(results[7].Error);
        Assert.Contains("empty.png", rejected.Message);
    }

    [Fact]
    public void The_decoder_stand_in_returns_a_PNG_of_the_bundle_image_size_or_the_requested_one()
    {
        var latents = StandIn(StageNames.Encoder, 0).Encode(Model, TestInputs.RandomPngs(2).Select(i => (i.Name, i.Inline!)).ToList())
            .Select(r => r.Value!).ToList();
        var wrong = new TensorPayload("F32", [2, 2], new byte[16]);
        var results = StandIn(StageNames.Decoder, 0).Decode(Model, [(latents[0], null), (latents[1], null), (latents[0], 32), (wrong, null)]);

        var size = Model.ImageSize;
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal((size, size), (results[i].Value!.Width, results[i].Value!.Height));
            Assert.Equal((size, size), TestInputs.PngSize(results[i].Value!.Png));
        }
        Assert.Equal((32, 32), TestInputs.PngSize(results[2].Value!.Png));
        // A flat colour drawn from the latent: distinct per item, obviously not a model's output.
        Assert.NotEqual(results[0].Value!.Png, results[1].Value!.Png);
        var pixels = ImageResult.FromMemory(results[0].Value!.Png, ColorComponents.RedGreenBlue).Data;
        Assert.Single(pixels.Chunk(3).Select(p => (p[0], p[1], p[2])).Distinct());
        Assert.Contains("latent shape", Assert.IsType<ItemRejectedException>(results[3].Error).Message);
    }

    [Fact]
    public void The_diffusion_stand_in_returns_a_latent_per_item_that_depends_on_label_seed_and_index_only()
    {
        var standIn = StandIn(StageNames.Diffusion, 0);
        var sampling = new SamplingSpec();
        var results = standIn.Generate(Model, [new(ItemCondition.Class(1), 7, 0, sampling), new(ItemCondition.Class(1), 7, 1, sampling), new(ItemCondition.Class(1), 7, 0, sampling), new(ItemCondition.Class(99), 7, 2, sampling)]);

        Assert.Equal(Model.LatentShape, results[0].Value!.Shape);
        Assert.NotEqual(results[0].Value!.Data, results[1].Value!.Data);
        Assert.Equal(results[0].Value!.Data, results[2].Value!.Data);
        Assert.Contains("class 99", Assert.IsType<ItemRejectedException>(results[3].Error).Message);
    }
}
