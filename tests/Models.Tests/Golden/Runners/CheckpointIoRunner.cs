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
        rows.AddRange(CompareStateDict(c, "mixed.pt", "mixed_expected.safetensors"));
        rows.AddRange(CompareStateDict(c, "../rae_decoder/model.pt", "../rae_decoder/weights.safetensors"));
        rows.AddRange(CompareStateDict(c, "../ditdh/stage2_model.pt", "../ditdh/weights.safetensors"));

        // stat.pt: {"mean": None, "var": [C,16,16]}; var is the dinov2_reg case's in.latent_var.
        var stats = LatentStatsFile.Read(c.PathOf("../dinov2_reg/stat.pt"));
        var io = c.Read("../dinov2_reg/io.safetensors");
        rows.Add(Flag("stat.pt:mean is None", stats.Mean is null));
        rows.Add(Flag("stat.pt:var dtype", stats.Var?.dtype == io["in.latent_var"].dtype));
        rows.Add(new GoldenComparison("stat.pt:var", stats.Var ?? full(io["in.latent_var"].shape, double.NaN),
            io["in.latent_var"], 0));
        return rows;
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
