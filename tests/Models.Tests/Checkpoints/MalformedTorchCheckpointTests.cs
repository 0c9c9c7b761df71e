using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Checkpoints.Pickle;
using RAE.Grid.Models.Checkpoints.Torch;
using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Checkpoints;

/// <summary>Broken .pt files must raise <see cref="InvalidDataException"/> naming the file and the problem.</summary>
public class MalformedTorchCheckpointTests
{
    private static string Golden(string relative) => Path.Combine(GoldenCase.Root, relative);

    private static InvalidDataException Fails(string path, params string[] expectedInMessage)
    {
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadStateDict(path));
        Assert.Contains(path, e.Message);
        foreach (var s in expectedInMessage) Assert.Contains(s, e.Message);
        return e;
    }

    /// <summary>A .pt of one tensor with a hand-written view; storages as given.</summary>
    private static string OneTensor(TempDir dir, string storageType, long numel, long offset, long[] size, long[] stride,
        byte[] data, string? byteorder = null)
    {
        var path = dir.File("t.pt");
        var p = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor(storageType, "0", numel, offset, size, stride)
            .SetItem().Stop();
        TorchZipBuilder.Write(path, "t", p.ToArray(), new Dictionary<string, byte[]> { ["0"] = data }, byteorder);
        return path;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(1500)]
    [InlineData(-1)]
    [InlineData(-22)]
    [InlineData(-100)]
    public void Truncated_file_raises_an_error_naming_the_file(int length)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Golden("checkpoint_io/mixed.pt"));
        var path = dir.File("truncated.pt");
        File.WriteAllBytes(path, bytes[..(length >= 0 ? length : bytes.Length + length)]);
        Fails(path);
    }

    [Fact]
    public void Any_single_corrupted_byte_gives_a_result_or_InvalidDataException_never_a_crash()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Golden("checkpoint_io/mixed.pt"));
        var path = dir.File("corrupt.pt");
        for (var i = 0; i < bytes.Length; i++)
            foreach (var flip in new byte[] { 0xFF, 0x01 })
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

    [Fact]
    public void Any_corrupted_or_truncated_pickle_with_intact_zip_gives_a_result_or_InvalidDataException()
    {
        // The zip's CRCs are rebuilt, so every mutation reaches the pickle machine and the tensor checks.
        using var dir = new TempDir();
        Dictionary<string, byte[]> storages;
        byte[] pickle;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(Golden("checkpoint_io/mixed.pt")))
        {
            byte[] Read(System.IO.Compression.ZipArchiveEntry e)
            {
                using var s = e.Open();
                var ms = new MemoryStream();
                s.CopyTo(ms);
                return ms.ToArray();
            }
            pickle = Read(zip.GetEntry("mixed/data.pkl")!);
            storages = zip.Entries.Where(e => e.FullName.StartsWith("mixed/data/"))
                .ToDictionary(e => e.FullName["mixed/data/".Length..], Read);
        }
        var path = dir.File("mutated.pt");
        void Check(byte[] p, string what)
        {
            TorchZipBuilder.Write(path, "mixed", p, storages);
            using var scope = NewDisposeScope();
            try { TorchCheckpointFile.ReadTree(path); Checkpoint.ReadStateDict(path); }
            catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
            catch (Exception e) { Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}"); }
        }
        for (var i = 0; i < pickle.Length; i++)
        {
            foreach (var flip in new byte[] { 0xFF, 0x01, 0x10 })
            {
                var b = (byte[])pickle.Clone();
                b[i] ^= flip;
                Check(b, $"byte {i} ^ 0x{flip:X2}");
            }
            Check(pickle[..i], $"first {i} bytes");
        }
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_rejected()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.pt");
        File.WriteAllBytes(path, "PK\u0003\u0004 this is not really a zip file at all............"u8.ToArray());
        Fails(path);
        Assert.Throws<InvalidDataException>(() => TorchCheckpointFile.Open(path));
    }

    [Fact]
    public void A_zip_without_data_pkl_is_rejected()
    {
        using var dir = new TempDir();
        var path = dir.File("nopkl.pt");
        TorchZipBuilder.Write(path, "x", pickle: null, new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Fails(path, "data.pkl");
    }

    [Fact]
    public void A_storage_entry_shorter_than_its_declared_size_is_rejected()
    {
        using var dir = new TempDir();
        Fails(OneTensor(dir, "FloatStorage", 6, 0, [6], [1], new byte[20]), "t/data/0", "20 bytes");
    }

    [Fact]
    public void A_view_reaching_past_its_storage_is_rejected()
    {
        using var dir = new TempDir();
        // 2x3 with stride (3,1) from offset 1 needs elements 1..6 of a 6-element storage.
        Fails(OneTensor(dir, "FloatStorage", 6, 1, [2, 3], [3, 1], new byte[24]), "reaches element 6", "holds only 6");
        Fails(OneTensor(dir, "FloatStorage", 6, 0, [3, 2], [1, 4], new byte[24]), "reaches element 6"); // a permuted view
    }

    [Fact]
    public void An_empty_view_at_the_end_of_a_storage_is_accepted()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var t = Checkpoint.ReadStateDict(OneTensor(dir, "FloatStorage", 2, 2, [0, 5], [5, 1], new byte[8]))["w"];
        Assert.Equal([0L, 5], t.shape);
    }

    [Theory]
    [InlineData(1L << 61)]            // bytes overflow a long
    [InlineData(1L << 40)]            // 4 TiB declared for an 8-byte entry
    public void An_absurd_storage_size_is_rejected_before_allocating(long numel)
    {
        using var dir = new TempDir();
        Fails(OneTensor(dir, "FloatStorage", numel, 0, [2], [1], new byte[8]), "storage");
    }

    [Fact]
    public void An_absurd_shape_is_rejected()
    {
        using var dir = new TempDir();
        Fails(OneTensor(dir, "FloatStorage", 2, 0, [1L << 40, 1L << 40], [1L << 40, 1], new byte[8]), "absurd");
        Fails(OneTensor(dir, "FloatStorage", 2, 0, [2, 2], [1, 1], new byte[8]), "reaches element");
    }

    [Theory]
    [InlineData("ComplexFloatStorage", "unsupported dtype")]
    [InlineData("QInt8Storage", "unsupported dtype")]
    public void An_unknown_storage_dtype_is_named(string storage, string message)
    {
        using var dir = new TempDir();
        Fails(OneTensor(dir, storage, 2, 0, [2], [1], new byte[16]), storage, message);
    }

    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("os", "system")]
    [InlineData("torch", "load")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    public void A_global_outside_the_allow_list_is_refused_by_name(string module, string name)
    {
        using var dir = new TempDir();
        var path = dir.File("evil.pt");
        var p = new PickleBuilder().Proto().Global(module, name).Mark().Str("x").Tuple().Reduce().Stop();
        TorchZipBuilder.Write(path, "evil", p.ToArray(), new Dictionary<string, byte[]>());
        Fails(path, $"{module}.{name}", "allow-list");
    }

    [Fact]
    public void An_unknown_opcode_is_named_with_its_offset()
    {
        using var dir = new TempDir();
        var path = dir.File("op.pt");
        TorchZipBuilder.Write(path, "op", new PickleBuilder().Proto().EmptyDict().Raw(0xF0).Stop().ToArray(),
            new Dictionary<string, byte[]>());
        Fails(path, "0xF0", "offset 3");
    }

    [Fact]
    public void A_big_endian_checkpoint_is_refused_clearly()
    {
        using var dir = new TempDir();
        Fails(OneTensor(dir, "FloatStorage", 2, 0, [2], [1], new byte[8], byteorder: "big"), "big-endian");
        Fails(OneTensor(dir, "FloatStorage", 2, 0, [2], [1], new byte[8], byteorder: "middle"), "byteorder");
    }

    [Fact]
    public void A_little_endian_byteorder_record_is_accepted()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var data = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray();
        var t = Checkpoint.ReadStateDict(OneTensor(dir, "FloatStorage", 2, 0, [2], [1], data, byteorder: "little"))["w"];
        Assert.Equal([1.5f, -2f], t.data<float>().ToArray());
    }

    [Fact]
    public void The_legacy_non_zip_format_is_refused_with_advice()
    {
        using var dir = new TempDir();
        var path = dir.File("legacy.pt");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Fails(path, "legacy");
    }

    [Fact]
    public void A_self_referencing_dict_is_an_error_not_a_hang()
    {
        using var dir = new TempDir();
        var path = dir.File("loop.pt");
        // d = {}; d["k"] = d
        var p = new PickleBuilder().Proto().EmptyDict().Op(PickleOpcode.BINPUT).Raw(0)
            .Str("k").Op(PickleOpcode.BINGET).Raw(0).SetItem().Stop();
        TorchZipBuilder.Write(path, "loop", p.ToArray(), new Dictionary<string, byte[]>());
        Fails(path, "nesting");
        Assert.Throws<InvalidDataException>(() => TorchCheckpointFile.ReadTree(path));
    }

    [Fact]
    public void Sub_dicts_shared_exponentially_often_are_an_error_not_a_hang()
    {
        using var dir = new TempDir();
        var path = dir.File("bomb.pt");
        // d0 = {"x": None}; d(i+1) = {"a": d(i), "b": d(i)}: 2^60 paths from 60 small dicts.
        var p = new PickleBuilder().Proto().EmptyDict().Str("x").None().SetItem().Op(PickleOpcode.BINPUT).Raw(0);
        for (var i = 0; i < 60; i++)
            p.EmptyDict().Mark().Str("a").Op(PickleOpcode.BINGET).Raw(0).Str("b").Op(PickleOpcode.BINGET).Raw(0)
                .SetItems().Op(PickleOpcode.BINPUT).Raw(0);
        TorchZipBuilder.Write(path, "bomb", p.Stop().ToArray(), new Dictionary<string, byte[]>());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Fails(path, "entries");
        Assert.IsType<OrderedDictionary<object, object?>>(TorchCheckpointFile.ReadTree(path)); // sharing kept: linear
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
    }

    [Fact]
    public void A_non_tensor_value_in_a_state_dict_is_named()
    {
        using var dir = new TempDir();
        var path = dir.File("int.pt");
        var p = new PickleBuilder().Proto().EmptyDict().Mark().Str("epoch").Int(5).SetItems().Stop();
        TorchZipBuilder.Write(path, "int", p.ToArray(), new Dictionary<string, byte[]>());
        Fails(path, "'epoch'", "not a tensor");
    }

    [Theory]
    [InlineData("../0")]
    [InlineData("a/b")]
    public void A_storage_key_that_is_a_path_is_refused(string key)
    {
        using var dir = new TempDir();
        var path = dir.File("key.pt");
        var p = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", key, 1, 0, [1], [1]).SetItem().Stop();
        TorchZipBuilder.Write(path, "key", p.ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Fails(path, "storage key");
    }

    [Fact]
    public void A_storage_entry_that_is_missing_is_named()
    {
        using var dir = new TempDir();
        var path = dir.File("miss.pt");
        var p = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "7", 1, 0, [1], [1]).SetItem().Stop();
        TorchZipBuilder.Write(path, "miss", p.ToArray(), new Dictionary<string, byte[]>());
        Fails(path, "miss/data/7", "missing");
    }

    [Fact]
    public void Garbage_is_neither_format()
    {
        using var dir = new TempDir();
        var path = dir.File("garbage.bin");
        File.WriteAllBytes(path, "hello world, not a checkpoint"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadStateDict(path));
        Assert.Contains(path, e.Message);
        File.WriteAllBytes(path, []);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Checkpoint.DetectFormat(path)).Message);
    }
}
