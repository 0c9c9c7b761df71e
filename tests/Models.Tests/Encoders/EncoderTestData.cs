using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>Access to the shared reference folders for encoder tests that need real-format weights.</summary>
internal static class EncoderTestData
{
    /// <summary>A case folder of the reference directory (RAE_GOLDEN_DIR or ../shared/golden).</summary>
    public static GoldenCase Case(string name)
    {
        var dir = Path.Combine(GoldenCase.Root, name);
        Assert.True(Directory.Exists(dir), $"reference folder missing: {dir} (set RAE_GOLDEN_DIR)");
        return new GoldenCase(dir);
    }

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>max|a − b| / max|b| in float64.</summary>
    public static double RelativeError(Tensor ours, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var a = ours.detach().cpu().to(ScalarType.Float64);
        var b = reference.detach().cpu().to(ScalarType.Float64);
        return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
    }
}
