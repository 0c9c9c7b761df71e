using System.Text;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Checkpoints;

/// <summary>Broken safetensors files must raise <see cref="InvalidDataException"/> naming the file and the problem.</summary>
public class MalformedSafeTensorsTests
{
    private static string Golden(string relative) => Path.Combine(GoldenCase.Root, relative);

    private static void Fails(string path, params string[] expectedInMessage)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.ReadAll(path));
        Assert.Contains(path, e.Message);
        foreach (var s in expectedInMessage) Assert.Contains(s, e.Message);
    }

    /// <summary>A file with this header text and this many data bytes.</summary>
    private static string WithHeader(TempDir dir, string header, int dataBytes, ulong? declaredLength = null)
    {
        var path = dir.File("h.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, BitConverter.GetBytes(declaredLength ?? (ulong)h.Length).Concat(h).Concat(new byte[dataBytes]).ToArray());
        return path;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(200)]
    [InlineData(-1)]
    [InlineData(-100)]
    public void Truncated_file_raises_an_error_naming_the_file(int length)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Golden("checkpoint_io/mixed_expected.safetensors"));
        var path = dir.File("truncated.safetensors");
        File.WriteAllBytes(path, bytes[..(length >= 0 ? length : bytes.Length + length)]);
        Fails(path);
    }

    [Fact]
    public void Any_single_corrupted_byte_gives_a_result_or_InvalidDataException_never_a_crash()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Golden("checkpoint_io/mixed_expected.safetensors"));
        var path = dir.File("corrupt.safetensors");
        for (var i = 0; i < bytes.Length; i++)
            foreach (var flip in new byte[] { 0xFF, 0x01, 0x20 })
            {
                var b = (byte[])bytes.Clone();
                b[i] ^= flip;
                File.WriteAllBytes(path, b);
                using var scope = NewDisposeScope();
                try { Checkpoint.ReadStateDict(path); }
                catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
                catch (Exception e) { Assert.Fail($"byte {i} ^ 0x{flip:X2}: {e.GetType().Name}: {e.Message}"); }
            }
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    public void An_absurd_header_length_is_rejected_before_allocating(ulong length)
    {
        using var dir = new TempDir();
        Fails(WithHeader(dir, "{}", 0, length), "header length");
    }

    [Fact]
    public void A_header_length_past_the_end_is_reported_as_truncated()
    {
        using var dir = new TempDir();
        Fails(WithHeader(dir, "{}", 0, 1000), "truncated");
    }

    [Theory]
    [InlineData("{not json", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "unsupported dtype 'F8'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "outside")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", "needs 12 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "negative")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}", "absurd")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "lacks")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "'w'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "outside")]
    [InlineData("{\"w\":3}", "'w'")]
    public void A_bad_header_is_named(string header, string message)
    {
        using var dir = new TempDir();
        Fails(WithHeader(dir, header, 4), message);
    }
}
