using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case "checkpoint_io": the PyTorch <c>.pt</c> reader against each file's safetensors twin (README addendum
/// "PyTorch .pt files"), bit for bit. F16/BF16 tensors are widened to F32 as the expected file stores them; any
/// other dtype must match. Key sets must be equal: each missing or unexpected key is its own failing row.
/// </summary>
public sealed class CheckpointIoRunner : IGoldenCaseRunner
{
    public string Case => "checkpoint_io";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        var rows = new List<GoldenComparison>();
        foreach (var pt in PtFiles(c))
        {
            var dir = Path.GetDirectoryName(pt)!;
            var stem = Path.GetFileNameWithoutExtension(pt);
            if (stem == "stat")
                rows.AddRange(CompareStats(c, pt, Path.Combine(dir, "io.safetensors")));
            else if (File.Exists(c.PathOf(Path.Combine(dir, $"{stem}_expected.safetensors"))))
                rows.AddRange(CompareStateDict(c, pt, Path.Combine(dir, $"{stem}_expected.safetensors")));
            else
                rows.AddRange(CompareStateDict(c, pt, Path.Combine(dir, "weights.safetensors")));
        }
        return rows;
    }

    /// <summary>The .pt files the config lists (keys relative to the golden root), as paths relative to the case folder.</summary>
    private static IEnumerable<string> PtFiles(GoldenCase c)
    {
        var listed = c.Config.TryGetProperty("files", out var files)
            ? files.EnumerateObject().Select(p => p.Name).Where(n => n.EndsWith(".pt", StringComparison.Ordinal)).ToList()
            : [];
        if (listed.Count == 0)
            listed = ["checkpoint_io/mixed.pt", "rae_decoder/model.pt", "ditdh/stage2_model.pt", "dinov2_reg/stat.pt"];
        return listed.Select(n => "../" + n);
    }

    /// <summary>stat.pt: {"mean": None, "var": [C,16,16]}; var is the encoder case's io <c>in.latent_var</c>.</summary>
    private static IEnumerable<GoldenComparison> CompareStats(GoldenCase c, string ptFile, string ioFile)
    {
        var name = Path.GetFileName(ptFile);
        var stats = LatentStatsFile.Read(c.PathOf(ptFile));
        var expected = c.Read(ioFile)["in.latent_var"];
        yield return Flag($"{name}:mean is None", stats.Mean is null);
        yield return Flag($"{name}:var dtype", stats.Var?.dtype == expected.dtype);
        yield return new GoldenComparison($"{name}:var", stats.Var ?? full(expected.shape, double.NaN), expected, 0);
    }

    private static IEnumerable<GoldenComparison> CompareStateDict(GoldenCase c, string ptFile, string twinFile)
    {
        var name = Path.GetFileName(ptFile);
        Assert.Equal(CheckpointFormat.TorchZip, Checkpoint.DetectFormat(c.PathOf(ptFile)));
        var ours = Checkpoint.ReadStateDict(c.PathOf(ptFile));
        var expected = c.Read(twinFile);
        var rows = new List<GoldenComparison>();
        var keys = expected.Keys.Union(ours.Keys).OrderBy(k => k, StringComparer.Ordinal);
        foreach (var k in keys)
        {
            var label = $"{name}:{k}";
            if (!ours.TryGetValue(k, out var o))
                rows.Add(new GoldenComparison(label + " (missing)", full(expected[k].shape, double.NaN), expected[k], 0));
            else if (!expected.TryGetValue(k, out var e))
                rows.Add(new GoldenComparison(label + " (unexpected)", o, full(o.shape, double.NaN), 0));
            else
            {
                var widened = o.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? o.to(ScalarType.Float32) : o;
                if (widened.dtype != e.dtype) rows.Add(Flag($"{label} dtype {o.dtype} vs {e.dtype}", false));
                rows.Add(new GoldenComparison(label, widened, e, 0));
            }
        }
        rows.Add(Flag($"{name}:<same key set>", expected.Keys.ToHashSet().SetEquals(ours.Keys)));
        return rows;
    }

    /// <summary>A yes/no check as an exact comparison (0 = yes), so it shows in the table and fails the case.</summary>
    private static GoldenComparison Flag(string label, bool ok) =>
        new(label, tensor(ok ? 0f : 1f), tensor(0f), 0);
}
