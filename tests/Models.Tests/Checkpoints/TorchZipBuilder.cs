using System.IO.Compression;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Checkpoints;

/// <summary>Writes torch.save-style zip checkpoints for tests: <c>&lt;stem&gt;/data.pkl</c> plus <c>&lt;stem&gt;/data/&lt;key&gt;</c>.</summary>
public static class TorchZipBuilder
{
    /// <summary>Writes a zip with the given pickle and raw storage entries (stored, like torch).</summary>
    public static void Write(string path, string stem, byte[]? pickle, IReadOnlyDictionary<string, byte[]> storages,
        string? byteorder = null)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            using var s = zip.CreateEntry($"{stem}/{name}", CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
        if (pickle is not null) Add("data.pkl", pickle);
        if (byteorder is not null) Add("byteorder", System.Text.Encoding.ASCII.GetBytes(byteorder));
        foreach (var (k, v) in storages) Add($"data/{k}", v);
        Add("version", "3\n"u8.ToArray());
    }

    /// <summary>
    /// Writes a nested dict (values: <see cref="Tensor"/>, <c>null</c>, or a nested
    /// <c>IEnumerable&lt;(string, object?)&gt;</c>) as torch.save would, one storage per tensor.
    /// </summary>
    public static void WriteTree(string path, IEnumerable<(string Key, object? Value)> root, string stem = "archive",
        string? byteorder = null)
    {
        var p = new PickleBuilder().Proto();
        var storages = new Dictionary<string, byte[]>();
        EmitDict(p, root, storages);
        Write(path, stem, p.Stop().ToArray(), storages, byteorder);
    }

    private static void EmitDict(PickleBuilder p, IEnumerable<(string Key, object? Value)> items, Dictionary<string, byte[]> storages)
    {
        p.EmptyDict().Mark();
        foreach (var (k, v) in items)
        {
            p.Str(k);
            switch (v)
            {
                case null: p.None(); break;
                case Tensor t:
                    var key = storages.Count.ToString();
                    using (var c = t.contiguous()) storages[key] = c.bytes.ToArray();
                    var stride = new long[t.ndim];
                    for (int i = (int)t.ndim - 1, s = 1; i >= 0; s *= (int)t.shape[i], i--) stride[i] = s;
                    p.Tensor(StorageName(t.dtype), key, t.numel(), 0, t.shape, stride);
                    break;
                case IEnumerable<(string, object?)> nested: EmitDict(p, nested, storages); break;
                default: throw new ArgumentException($"cannot write {v.GetType()}");
            }
        }
        p.SetItems();
    }

    public static string StorageName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => throw new ArgumentException(t.ToString()),
    };
}
