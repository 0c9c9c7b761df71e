using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Bundles;

/// <summary>A whole bundle, end to end: load, reconstruct, generate, and strict errors on bad weights.</summary>
public class RaeModelTests
{
    static string NewBundle(out string dir)
    {
        dir = Directory.CreateTempSubdirectory("rae-bundle").FullName;
        return RandomBundle.Create(dir, seed: 3);
    }

    [Fact]
    public void A_random_bundle_loads_and_reconstructs_images_at_its_size()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(NewBundle(out _));
        Assert.Equal(new long[] { 32, 16, 16 }, model.LatentShape);
        var images = rand(2, 3, 256, 256);
        var latents = model.Encode(images);
        Assert.Equal(new long[] { 2, 32, 16, 16 }, latents.shape);
        var recon = model.Reconstruct(images);
        Assert.Equal(new long[] { 2, 3, 256, 256 }, recon.shape);
        Assert.True(recon.isfinite().all().item<bool>());
        Assert.InRange(recon.min().item<float>(), 0f, 1f);
        Assert.InRange(recon.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void An_items_sample_does_not_depend_on_the_batch_it_ran_in()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(NewBundle(out _));
        var settings = new SamplingSettings(NumSteps: 6, GuidanceMethod: "cfg", GuidanceScale: 1.5);
        var alone = model.GenerateLatents([7], seed: 11, itemIndices: [2], settings);
        var batch = model.GenerateLatents([1, 4, 7], seed: 11, itemIndices: [0, 1, 2], settings);
        var diff = (alone[0] - batch[2]).abs().max().item<float>();
        Assert.True(diff < 1e-5f, $"item 2 differs by {diff} between batch sizes 1 and 3");
        // and a different seed gives a different sample
        var other = model.GenerateLatents([7], seed: 12, itemIndices: [2], settings);
        Assert.True((other[0] - alone[0]).abs().max().item<float>() > 1e-2f);
    }

    [Fact]
    public void Guidance_methods_change_the_sample()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(NewBundle(out _));
        Tensor Run(string method, double scale) =>
            model.GenerateLatents([3], 5, [0], new SamplingSettings(NumSteps: 5, GuidanceMethod: method, GuidanceScale: scale));
        var none = Run("none", 1.0);
        var cfg = Run("cfg", 2.0);
        var ag = Run("autoguidance", 2.0);
        Assert.True((none - cfg).abs().max().item<float>() > 1e-3f);
        Assert.True((none - ag).abs().max().item<float>() > 1e-3f);
        Assert.True((cfg - ag).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void A_bad_dit_param_in_a_bundle_names_the_bundle_the_section_and_the_field()
    {
        var path = NewBundle(out _);
        var bundle = RaeBundle.Load(path);
        var weak = (System.Text.Json.Nodes.JsonObject)bundle.Guidance.GuidanceModel!.Params!.DeepClone();
        weak["num_heads"] = new System.Text.Json.Nodes.JsonArray(7, 7); // no head count divides the widths
        bundle = bundle with { Guidance = bundle.Guidance with { GuidanceModel = bundle.Guidance.GuidanceModel with { Params = weak } } };
        bundle.Save(path);
        var e = Assert.Throws<ConfigFieldException>(() => RaeModel.Load(path));
        Assert.Contains("guidance.guidance_model.params", e.Source);
        Assert.Contains(bundle.Name, e.Source);
        Assert.Equal("hidden_size[0]", e.Field); // named as in the YAML: the backbone width the head count must divide
        Assert.Contains("num_heads[0]", e.Message);
    }

    [Fact]
    public void A_class_outside_the_label_table_is_an_error_naming_it()
    {
        using var model = RaeModel.Load(NewBundle(out _));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateLatents([10], 0, [0]));
        Assert.Contains("class 10", e.Message);
    }

    [Fact]
    public void Decoder_weights_missing_a_key_fail_to_load_naming_the_key_and_the_file()
    {
        var path = NewBundle(out var dir);
        var weights = Path.Combine(dir, "decoder", "model.safetensors");
        var sd = SafeTensorsFile.ReadAll(weights);
        sd.Remove("decoder_norm.weight");
        sd["decoder_pred.bias"] = zeros(5);
        SafeTensorsWriter.Write(weights, sd);
        var e = Assert.Throws<StateDictMismatchException>(() => RaeModel.Load(path));
        Assert.Contains("decoder_norm.weight", e.Message);
        Assert.Contains("decoder_pred.bias", e.Message);
        Assert.Contains("decoder/model.safetensors", e.Message);
    }

    [Fact]
    public void The_random_bundle_is_deterministic_for_a_seed()
    {
        var a = Directory.CreateTempSubdirectory("rae-bundle").FullName;
        var b = Directory.CreateTempSubdirectory("rae-bundle").FullName;
        RandomBundle.Create(a, seed: 9);
        RandomBundle.Create(b, seed: 9);
        foreach (var f in new[] { "encoder/model.safetensors", "decoder/model.safetensors", "dit/model.safetensors" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
    }

    [Fact]
    public void The_shipped_tiny_bundle_validates_and_says_its_weights_are_random()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo != null && !File.Exists(Path.Combine(repo.FullName, "RAE.Grid.sln"))) repo = repo.Parent;
        Assert.NotNull(repo);
        var bundle = RaeBundle.Load(Path.Combine(repo!.FullName, "bundles", "tiny", "bundle.json"));
        Assert.True(bundle.RandomWeights);
        using var model = RaeModel.Load(bundle);
        Assert.NotNull(model.Diffusion);
        Assert.NotNull(model.GuidanceModel);
    }
}
