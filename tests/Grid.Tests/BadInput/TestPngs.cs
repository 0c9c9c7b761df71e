using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// PNG files built byte by byte (1-bit greyscale, all black), so a test can make a real 8192² image in a few KB, or a
/// header that lies about its size, without allocating the pixels.
/// </summary>
public static class TestPngs
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A valid all-black PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static byte[] Black(int width, int height)
    {
        var row = 1 + (width + 7) / 8; // filter byte + packed bits
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[row];
            for (int y = 0; y < height; y++) z.Write(zeros);
        }
        return Build(width, height, raw.ToArray());
    }

    /// <summary>A PNG whose header says <paramref name="width"/> × <paramref name="height"/> but whose pixel data is garbage.</summary>
    public static byte[] HeaderOnly(int width, int height) => Build(width, height, Encoding.ASCII.GetBytes("not zlib data at all"));

    static byte[] Build(int width, int height, byte[] idat)
    {
        using var png = new MemoryStream();
        png.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth
        ihdr[9] = 0; // greyscale
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typed));
        s.Write(length);
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
