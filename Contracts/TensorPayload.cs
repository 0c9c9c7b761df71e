namespace RAE.Grid.Contracts;

/// <summary>
/// A tensor on the wire: dtype name (safetensors names: F32, BF16, F16, F64, I64, U8), shape and raw little-endian
/// C-order bytes. Marked immutable so Orleans does not deep-copy it on every call; Orleans writes a byte[] as one
/// length-prefixed field, unlike float[] which it writes element by element.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.TensorPayload")]
public sealed record TensorPayload(
    [property: Id(0)] string DType,
    [property: Id(1)] long[] Shape,
    [property: Id(2)] byte[] Data)
{
    /// <summary>
    /// Default largest payload sent between grains: 64 MiB, well under Orleans' 100 MiB message body limit (past which the
    /// connection drops rather than failing the call). Configurable per silo/client as <c>MaxPayloadBytes</c>.
    /// </summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>Element sizes by dtype name.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "U8" or "I8" or "BOOL" => 1,
        _ => throw new ArgumentException($"unknown tensor dtype '{dtype}'"),
    };

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Checks that the bytes match dtype and shape; returns this.</summary>
    public TensorPayload Validated()
    {
        if (Shape.Any(d => d < 0)) throw new ArgumentException($"tensor shape [{string.Join(",", Shape)}] has a negative dimension");
        var expected = ElementCount * ElementSize(DType);
        if (expected != Data.LongLength)
            throw new ArgumentException($"{DType}[{string.Join(",", Shape)}] needs {expected} bytes but the payload has {Data.LongLength}");
        return this;
    }

    /// <summary>Throws <see cref="PayloadTooLargeException"/> naming <paramref name="what"/> when over <paramref name="maxBytes"/>.</summary>
    public TensorPayload EnsureWithin(long maxBytes, string what)
    {
        if (Data.LongLength > maxBytes)
            throw new PayloadTooLargeException(
                $"{what}: {DType}[{string.Join(",", Shape)}] is {Data.LongLength} bytes, over the MaxPayloadBytes limit of {maxBytes}");
        return this;
    }

    public override string ToString() => $"{DType}[{string.Join(",", Shape)}] ({Data.LongLength} bytes)";
}
