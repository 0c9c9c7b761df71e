using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Checkpoints;

public class SafeTensorsWriterTests
{
    public static IEnumerable<object[]> DTypes() =>
    [
        [ScalarType.Float32, "F32"], [ScalarType.Float16, "F16"], [ScalarType.BFloat16, "BF16"],
        [ScalarType.Float64, "F64"], [ScalarType.Int64, "I64"], [ScalarType.Byte, "U8"],
        [ScalarType.Int32, "I32"], [ScalarType.Bool, "BOOL"],
    ];

    private static Tensor Sample(ScalarType dtype, long[] shape) => dtype switch
    {
        ScalarType.Byte => randint(0, 256, shape, ScalarType.Byte),
        ScalarType.Int64 or ScalarType.Int32 => randint(-1_000_000, 1_000_000, shape, dtype),
        ScalarType.Bool => randint(0, 2, shape, ScalarType.Int64).to(ScalarType.Bool),
        _ => (randn(shape, ScalarType.Float64) * 100).to(dtype),
    };

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Every_dtype_round_trips_bit_for_bit_with_metadata(ScalarType dtype, string name)
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = dir.File("t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(dtype, [3, 5]),
            ["scalar"] = Sample(dtype, []),
            ["empty"] = Sample(dtype, [0, 4]),
            ["strided"] = Sample(dtype, [4, 6]).t(), // non-contiguous input is written contiguous
        };
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "x" });

        using var f = SafeTensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal("x", f.Metadata["note"]);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(name, f.Entries[k].DType);
            var back = f.Load(k);
            Assert.Equal(dtype, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.Equal(t.contiguous().bytes.ToArray(), back.bytes.ToArray());
        }
    }

    [Fact]
    public void Header_is_padded_so_data_starts_8_byte_aligned_and_names_are_sorted()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        for (var extra = 0; extra < 8; extra++) // names of every length modulo 8
        {
            var path = dir.File($"a{extra}.safetensors");
            var names = new[] { "zeta", "alpha", "Mid" + new string('x', extra), "beta.0.weight" };
            SafeTensorsWriter.Write(path, names.ToDictionary(n => n, n => ones(2, 3)));
            var bytes = File.ReadAllBytes(path);
            var n = (long)BitConverter.ToUInt64(bytes, 0);
            Assert.Equal(0, (8 + n) % 8);
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
            var order = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(names.OrderBy(x => x, StringComparer.Ordinal), order);
            // Data of sorted names is laid out in that order, back to back.
            var offsets = order.Select(k => doc.RootElement.GetProperty(k).GetProperty("data_offsets")[0].GetInt64()).ToList();
            Assert.Equal(offsets.OrderBy(x => x), offsets);
            Assert.Equal(8 + n + 4 * 24, bytes.Length);
        }
    }

    [Fact]
    public void Metadata_is_absent_when_none_is_given()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(1) });
        using var f = SafeTensorsFile.Open(path);
        Assert.Empty(f.Metadata);
        Assert.DoesNotContain("__metadata__", File.ReadAllText(path));
    }
}
