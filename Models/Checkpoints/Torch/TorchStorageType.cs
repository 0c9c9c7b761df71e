using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints.Torch;

/// <summary>
/// A <c>torch.*Storage</c> class named in a checkpoint's pickle (e.g. <c>torch.BFloat16Storage</c>): the element
/// type of the bytes in <c>&lt;stem&gt;/data/&lt;key&gt;</c>.
/// </summary>
public sealed record TorchStorageType(string Name, ScalarType DType, int ElementSize)
{
    private static readonly Dictionary<string, (ScalarType, int)> Known = new()
    {
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
        // torch 2.x may pickle an untyped storage; its elements are bytes.
        ["UntypedStorage"] = (ScalarType.Byte, 1),
    };

    /// <summary>Whether <c>torch.&lt;name&gt;</c> looks like a storage class (supported or not).</summary>
    public static bool IsStorageName(string name) => name.EndsWith("Storage", StringComparison.Ordinal);

    /// <summary>The storage type for <c>torch.&lt;name&gt;</c>; unsupported element types (complex, quantized, ...) raise.</summary>
    public static TorchStorageType FromName(string name) =>
        Known.TryGetValue(name, out var t) ? new TorchStorageType(name, t.Item1, t.Item2)
            : throw new InvalidDataException($"tensor storage type torch.{name} has an unsupported dtype " +
                $"(supported: {string.Join(", ", Known.Keys)})");
}
