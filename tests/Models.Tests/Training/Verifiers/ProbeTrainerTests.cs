using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Verifiers;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Verifiers;

/// <summary>Training the class probe from the shipped bundle's encoder on a small Fashion-MNIST subset, and writing it into a bundle.</summary>
public class ProbeTrainerTests
{
    static readonly Lazy<RaeModel> Model = new(() => RaeModel.Load(Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "fashion-mnist", "bundle.json")));
    static readonly Lazy<LabeledImages> Train = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "train", limit: 2000));
    static readonly Lazy<LabeledImages> Test = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 500));
    static readonly ProbeTrainingOptions Small = new(Epochs: 4, BatchSize: 128, Seed: 3);

    [Fact]
    public void A_probe_trained_on_a_small_subset_classifies_held_out_latents_far_above_chance()
    {
        var result = ProbeTrainer.Train(Model.Value, Train.Value, Test.Value, "probe", Small);
        using var probe = result.Probe;
        Assert.Equal(2000, result.TrainImages);
        Assert.Equal(500, result.TestImages);
        Assert.InRange(result.TestAccuracy, 0.65, 1.0); // chance is 0.10
        Assert.InRange(result.TrainAccuracy, 0.65, 1.0);
    }

    [Fact]
    public void The_same_seed_trains_the_same_probe_bit_for_bit()
    {
        var options = Small with { Epochs = 1, TrainImages = 500, TestImages = 50 };
        using var a = ProbeTrainer.Train(Model.Value, Train.Value, Test.Value, "probe", options).Probe;
        using var b = ProbeTrainer.Train(Model.Value, Train.Value, Test.Value, "probe", options).Probe;
        using var c = ProbeTrainer.Train(Model.Value, Train.Value, Test.Value, "probe", options with { Seed = 4 }).Probe;
        foreach (var key in a.Tensors().Keys) Assert.True(TensorAssert.BitEqual(a.Tensors()[key], b.Tensors()[key]), key);
        Assert.False(TensorAssert.BitEqual(a.Tensors()[ClassProbeVerifier.WeightKey], c.Tensors()[ClassProbeVerifier.WeightKey]));
    }

    [Fact]
    public void Writing_a_probe_adds_its_verifier_entry_and_replaces_it_in_place_leaving_the_rest_of_the_bundle_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("rae-probe-bundle").FullName;
        var bundlePath = RandomBundle.Create(dir, seed: 2, numClasses: 10);
        using var model = RaeModel.Load(bundlePath);
        var before = JsonNode.Parse(File.ReadAllText(bundlePath))!.AsObject();
        var options = Small with { Epochs = 1, TrainImages = 64, TestImages = 16, EncodeBatch = 32 };
        using (var first = ProbeTrainer.Train(model, Train.Value, Test.Value, "probe", options).Probe)
            ProbeTrainer.WriteIntoBundle(bundlePath, first, "first");
        using (var other = ProbeTrainer.Train(model, Train.Value, Test.Value, "other", options).Probe)
            ProbeTrainer.WriteIntoBundle(bundlePath, other, "other");
        using (var again = ProbeTrainer.Train(model, Train.Value, Test.Value, "probe", options with { Seed = 9 }).Probe)
            ProbeTrainer.WriteIntoBundle(bundlePath, again, "second");

        var bundle = RaeBundle.Load(bundlePath);
        Assert.Equal(["probe", "other"], bundle.Verifiers!.Select(v => v.Name));
        Assert.Equal("second", bundle.Verifiers![0].Description);
        Assert.True(File.Exists(Path.Combine(dir, "verifier", "probe.safetensors")));
        var after = JsonNode.Parse(File.ReadAllText(bundlePath))!.AsObject();
        after.Remove("verifiers");
        Assert.True(JsonNode.DeepEquals(before, after));
        using var reloaded = RaeModel.Load(bundle);
        Assert.Equal(ClassProbeVerifier.VersionOf(Path.Combine(dir, "verifier", "probe.safetensors")), reloaded.Verifier().Version);
    }
}
