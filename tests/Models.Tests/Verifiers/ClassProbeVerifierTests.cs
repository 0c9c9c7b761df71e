using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Verifiers;

/// <summary>The class-probe verifier: scores, row independence, strict loading, its version, and the shipped probe.</summary>
public class ClassProbeVerifierTests
{
    static readonly long[] Shape = [8, 2, 2];
    const int K = 5;

    static Dictionary<string, Tensor> RandomTensors(long seed)
    {
        using var g = new Generator((ulong)seed);
        return new Dictionary<string, Tensor>
        {
            [ClassProbeVerifier.MeanKey] = randn([32], generator: g),
            [ClassProbeVerifier.StdKey] = rand([32], generator: g) + 0.5,
            [ClassProbeVerifier.WeightKey] = randn([K, 32], generator: g),
            [ClassProbeVerifier.BiasKey] = randn([K], generator: g),
        };
    }

    static string WriteProbe(Dictionary<string, Tensor> tensors)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rae-probe").FullName, "probe.safetensors");
        SafeTensorsWriter.Write(path, tensors);
        return path;
    }

    static List<LatentCondition> Labels(params int[] labels) => labels.Select(y => new LatentCondition(y)).ToList();

    [Fact]
    public void The_score_is_the_log_softmax_probability_of_the_condition_label()
    {
        var t = RandomTensors(1);
        using var probe = ClassProbeVerifier.FromTensors("p", "v", t, Shape, K);
        using var g = new Generator(2);
        var latents = randn([3, 8, 2, 2], generator: g);
        var scores = probe.Score(latents, Labels(0, 4, 2));
        var z = (latents.reshape(3, -1) - t[ClassProbeVerifier.MeanKey]) / t[ClassProbeVerifier.StdKey];
        var logp = (z.matmul(t[ClassProbeVerifier.WeightKey].T) + t[ClassProbeVerifier.BiasKey]).log_softmax(1);
        var expected = stack([logp[0, 0], logp[1, 4], logp[2, 2]]);
        Assert.Equal(new long[] { 3 }, scores.shape);
        Assert.Equal(ScalarType.Float32, scores.dtype);
        Assert.True(scores.allclose(expected, rtol: 1e-5, atol: 1e-5));
        Assert.True((scores <= 0).all().item<bool>());
    }

    [Fact]
    public void A_row_scores_the_same_alone_as_in_any_batch()
    {
        using var probe = ClassProbeVerifier.FromTensors("p", "v", RandomTensors(3), Shape, K);
        using var g = new Generator(4);
        var latents = randn([37, 8, 2, 2], generator: g);
        var labels = Enumerable.Range(0, 37).Select(i => i * 3 % K).ToArray();
        var batch = probe.Score(latents, Labels(labels));
        for (int i = 0; i < 37; i++)
            Assert.Equal(batch[i].item<float>(), probe.Score(latents[i..(i + 1)], Labels(labels[i])).item<float>());
        var reversed = probe.Score(latents.flip(0), Labels(labels.Reverse().ToArray()));
        Assert.True(TensorAssert.BitEqual(batch, reversed.flip(0)));
    }

    [Fact]
    public void Loading_names_every_missing_unexpected_and_mis_shaped_key()
    {
        var t = RandomTensors(5);
        t["classifier.weights"] = t[ClassProbeVerifier.WeightKey];
        t.Remove(ClassProbeVerifier.WeightKey);
        t[ClassProbeVerifier.BiasKey] = zeros(K + 1);
        var path = WriteProbe(t);
        var e = Assert.Throws<StateDictMismatchException>(() => ClassProbeVerifier.Load("p", path, Shape, K));
        Assert.Equal(["classifier.weight"], e.Missing);
        Assert.Equal(["classifier.weights"], e.Unexpected);
        Assert.Single(e.MisShaped);
        Assert.Contains("classifier.bias: checkpoint [6] vs probe [5]", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_label_outside_the_probe_classes_is_rejected_naming_the_row()
    {
        using var probe = ClassProbeVerifier.FromTensors("p", "v", RandomTensors(6), Shape, K);
        var e = Assert.Throws<ArgumentException>(() => probe.Score(zeros(2, 8, 2, 2), Labels(1, K)));
        Assert.Contains("conditions[1].Label: 5 is outside 0..4", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => probe.Score(zeros(1, 8, 4, 4), Labels(1)));
        Assert.Contains("[B,8,2,2]", shape.Message);
    }

    [Fact]
    public void The_version_is_the_type_and_a_hash_of_the_weights_file()
    {
        var a = WriteProbe(RandomTensors(7));
        var b = WriteProbe(RandomTensors(8));
        using var probe = ClassProbeVerifier.Load("p", a, Shape, K);
        Assert.Matches("^class-probe@[0-9a-f]{12}$", probe.Version);
        Assert.Equal(ClassProbeVerifier.VersionOf(a), probe.Version);
        Assert.NotEqual(ClassProbeVerifier.VersionOf(b), probe.Version);
    }

    [Fact]
    public void The_shipped_bundle_default_verifier_is_its_class_probe()
    {
        using var model = RaeModel.Load(Path.Combine(RepositoryRoot(), "bundles", "fashion-mnist", "bundle.json"));
        var verifier = model.Verifier();
        Assert.IsType<ClassProbeVerifier>(verifier);
        Assert.Equal("probe", verifier.Name);
        Assert.Same(verifier, model.Verifier("probe"));
        Assert.StartsWith("class-probe@", verifier.Version);
    }

    internal static string RepositoryRoot()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo != null && !File.Exists(Path.Combine(repo.FullName, "RAE.Grid.sln"))) repo = repo.Parent;
        return repo?.FullName ?? throw new DirectoryNotFoundException("RAE.Grid.sln not found above the test binaries");
    }
}
