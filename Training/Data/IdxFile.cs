using System.IO.Compression;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// Reader of the IDX format of (Fashion-)MNIST: a big-endian header (two zero bytes, a type byte, the number of
/// dimensions, then one uint32 per dimension) followed by the data. Only unsigned-byte data (type 0x08) occurs in
/// these datasets. Files may be gzip-compressed (detected from the magic bytes, not the name).
/// </summary>
public static class IdxFile
{
    /// <summary>Hard cap on elements, so a corrupt header cannot ask for an absurd allocation.</summary>
    public const long MaxElements = 1L << 31;

    /// <summary>Reads a uint8 IDX file into a tensor with the file's shape.</summary>
    public static Tensor ReadBytes(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new FileNotFoundException($"{path}: cannot read IDX file ({e.Message})", path, e); }
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                raw = ms.ToArray();
            }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt gzip stream ({e.Message})", e); }
        }
        return Parse(raw, path);
    }

    /// <summary>Parses decompressed IDX bytes; <paramref name="name"/> names the file in errors.</summary>
    public static Tensor Parse(byte[] data, string name)
    {
        if (data.Length < 4 || data[0] != 0 || data[1] != 0)
            throw new InvalidDataException($"{name}: not an IDX file (bad magic)");
        if (data[2] != 0x08)
            throw new InvalidDataException($"{name}: IDX element type 0x{data[2]:x2} is not supported (only unsigned bytes, 0x08)");
        int dims = data[3];
        if (dims is < 1 or > 4) throw new InvalidDataException($"{name}: IDX with {dims} dimensions is not supported");
        int header = 4 + 4 * dims;
        if (data.Length < header) throw new InvalidDataException($"{name}: truncated IDX header");
        var shape = new long[dims];
        long count = 1;
        for (int i = 0; i < dims; i++)
        {
            int o = 4 + 4 * i;
            shape[i] = (uint)(data[o] << 24 | data[o + 1] << 16 | data[o + 2] << 8 | data[o + 3]);
            count *= shape[i];
            if (count > MaxElements) throw new InvalidDataException($"{name}: IDX shape too large");
        }
        if (data.Length - header != count)
            throw new InvalidDataException($"{name}: IDX header says {count} elements, file holds {data.Length - header}");
        var body = new byte[count];
        Buffer.BlockCopy(data, header, body, 0, (int)count);
        return tensor(body, shape, ScalarType.Byte);
    }
}
