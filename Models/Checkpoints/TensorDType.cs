using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>Maps the dtype names used by safetensors (and by torch storages) to TorchSharp scalar types.</summary>
public static class TensorDType
{
    /// <summary>The safetensors dtype names this project reads and writes, with their element sizes.</summary>
    public static readonly IReadOnlyDictionary<string, (ScalarType Type, int Size)> SafeTensorsNames =
        new Dictionary<string, (ScalarType, int)>
        {
            ["F64"] = (ScalarType.Float64, 8),
            ["F32"] = (ScalarType.Float32, 4),
            ["F16"] = (ScalarType.Float16, 2),
            ["BF16"] = (ScalarType.BFloat16, 2),
            ["I64"] = (ScalarType.Int64, 8),
            ["I32"] = (ScalarType.Int32, 4),
            ["I16"] = (ScalarType.Int16, 2),
            ["I8"] = (ScalarType.Int8, 1),
            ["U8"] = (ScalarType.Byte, 1),
            ["BOOL"] = (ScalarType.Bool, 1),
        };

    /// <summary>The safetensors name of a TorchSharp scalar type.</summary>
    public static string ToSafeTensorsName(ScalarType type) =>
        SafeTensorsNames.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new NotSupportedException($"dtype {type} has no safetensors name in this project");

    /// <summary>Element size in bytes of a TorchSharp scalar type.</summary>
    public static int ElementSize(ScalarType type) =>
        SafeTensorsNames.Values.FirstOrDefault(v => v.Type == type).Size is var s and > 0
            ? s : throw new NotSupportedException($"dtype {type} is not supported");

    /// <summary>Parses a configuration dtype name ("fp32", "float32", "bf16", "bfloat16", "fp16", "fp64").</summary>
    public static ScalarType ParseConfigName(string name) => name.ToLowerInvariant() switch
    {
        "fp32" or "float32" or "float" or "f32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp16" or "float16" or "half" or "f16" => ScalarType.Float16,
        "fp64" or "float64" or "double" or "f64" => ScalarType.Float64,
        _ => throw new ArgumentException($"unknown dtype '{name}' (expected fp32, bf16, fp16 or fp64)"),
    };

    /// <summary>
    /// A CPU tensor that owns a copy of raw little-endian C-order <paramref name="data"/> of safetensors dtype
    /// <paramref name="dtypeName"/> and <paramref name="shape"/>; the byte count must match.
    /// </summary>
    public static Tensor FromBytes(string dtypeName, long[] shape, ReadOnlySpan<byte> data)
    {
        if (!SafeTensorsNames.TryGetValue(dtypeName, out var dt))
            throw new ArgumentException($"tensor dtype '{dtypeName}' is not supported");
        var expected = shape.Aggregate(1L, (a, b) => a * b) * dt.Size;
        if (shape.Any(d => d < 0) || expected != data.Length)
            throw new ArgumentException($"{dtypeName}[{string.Join(",", shape)}] needs {expected} bytes, got {data.Length}");
        var t = empty(shape, dt.Type);
        data.CopyTo(t.bytes);
        return t;
    }
}
