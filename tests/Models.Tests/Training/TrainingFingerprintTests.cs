using System.Text.Json.Nodes;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Data;
using static RAE.Grid.Models.Tests.Training.Stage2.Stage2TestData;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Tests.Training;

/// <summary>
/// The fingerprint every trainer stores in its resumable checkpoint: named, flattened inputs and their hash; a
/// checkpoint of another fingerprint, or of none, is refused before anything is loaded, naming the file and the change.
/// </summary>
public class TrainingFingerprintTests
{
    static TorchSharp.Modules.Linear Net(long seed)
    {
        manual_seed(seed);
        return Linear(4, 2);
    }

    static void Save(string path, Module module, TrainingFingerprint? fingerprint) =>
        TrainingCheckpoint.Save(path, 3, new Dictionary<string, Module> { ["model"] = module },
            new Dictionary<string, optim.Optimizer>(), fingerprint: fingerprint);

    static long Load(string path, Module module, TrainingFingerprint? fingerprint) =>
        TrainingCheckpoint.Load(path, new Dictionary<string, Module> { ["model"] = module },
            new Dictionary<string, optim.Optimizer>(), fingerprint).Step;

    [Fact]
    public void Inputs_are_the_snake_case_properties_flattened_and_the_hash_follows_their_values_not_their_order()
    {
        var a = TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(Lr: 5e-4), WeakStep = (int?)null });
        Assert.Equal("1", a.Inputs["seed"]);
        Assert.Equal("0.0005", a.Inputs["optimizer.lr"]);
        Assert.Equal("null", a.Inputs["weak_step"]);
        Assert.Equal(a.Hash, TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(Lr: 5e-4), WeakStep = (int?)null }).Hash);
        Assert.NotEqual(a.Hash, TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(Lr: 1e-3), WeakStep = (int?)null }).Hash);

        var ab = a.With("params", new JsonObject { ["a"] = 1, ["b"] = new JsonArray(2, 3) });
        var ba = a.With("params", new JsonObject { ["b"] = new JsonArray(2, 3), ["a"] = 1 });
        Assert.Equal("[2,3]", ab.Inputs["params.b"]);
        Assert.Equal(ab.Hash, ba.Hash);
    }

    [Fact]
    public void Without_removes_an_input_and_its_nested_ones_and_refuses_a_name_it_does_not_have()
    {
        var f = TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(), StoreFloat16 = true });
        var g = f.Without("optimizer", "store_float16");
        Assert.Equal(new[] { "seed" }, g.Inputs.Keys);
        Assert.Equal(TrainingFingerprint.Of(new { Seed = 1 }).Hash, g.Hash);
        Assert.Contains("'store_float_16'", Assert.Throws<ArgumentException>(() => f.Without("store_float_16")).Message);
    }

    [Fact]
    public void Data_is_fingerprinted_by_shape_and_content_so_other_images_or_labels_differ_and_a_copy_agrees()
    {
        var data = Images(64);
        var first = data.Take(32);
        var copy = new LabeledImages(first.Images.clone(), first.Labels.clone(), first.ClassNames);
        var second = data with { Images = data.Images[32..64], Labels = data.Labels[32..64] };  // same shape, other pixels
        var relabelled = first with { Labels = (first.Labels + 1) % 4 };
        string Sha(LabeledImages d) => TrainingFingerprint.Of(new { Data = TrainingFingerprint.Data(d) }).Inputs["data.sha256"];

        Assert.Equal(Sha(first), Sha(copy));
        Assert.NotEqual(Sha(first), Sha(second));
        Assert.NotEqual(Sha(first), Sha(relabelled));
        Assert.Equal("\"32x1x8x8\"", TrainingFingerprint.Of(new { Data = TrainingFingerprint.Data(first) }).Inputs["data.images"]);
    }

    [Fact]
    public void A_checkpoint_of_another_fingerprint_is_refused_before_loading_naming_the_file_the_change_and_what_to_do()
    {
        using var dir = new TempDir();
        var path = dir.File("work/ck.safetensors");
        var was = TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(Lr: 5e-4) });
        var now = TrainingFingerprint.Of(new { Seed = 1, Optimizer = new AdamWSettings(Lr: 1e-3) });
        Save(path, Net(0), was);

        using var target = Net(1);
        var before = target.weight!.clone();
        var e = Assert.Throws<InvalidOperationException>(() => Load(path, target, now));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("different recipe", e.Message);
        Assert.Contains("optimizer.lr 0.0005 → 0.001", e.Message);
        Assert.DoesNotContain("seed", e.Message);
        Assert.Contains("Delete it", e.Message);
        Assert.Contains("--work", e.Message);
        Assert.True(TensorAssert.BitEqual(before, target.weight!), "the refused checkpoint was loaded into the module");

        Assert.Equal(3, Load(path, target, was));
        using var source = Net(0);
        Assert.True(TensorAssert.BitEqual(source.weight!, target.weight!));
    }

    [Fact]
    public void A_checkpoint_written_before_fingerprints_is_refused_as_uncheckable()
    {
        using var dir = new TempDir();
        var path = dir.File("ck.safetensors");
        Save(path, Net(0), fingerprint: null);
        using var target = Net(1);
        Assert.Equal(3, Load(path, target, fingerprint: null));  // callers without a fingerprint load as before

        var e = Assert.Throws<InvalidOperationException>(() => Load(path, target, TrainingFingerprint.Of(new { Seed = 1 })));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("records no training fingerprint", e.Message);
        Assert.Contains("Delete it", e.Message);
    }
}
