using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// Writes safetensors files the way the reference writer does: tensors in sorted-name order, contiguous
/// little-endian data, header padded with spaces so the data starts 8-byte aligned.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (any device; copied to CPU) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        using (var fs = File.Create(tmp)) Write(fs, tensors, metadata);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The safetensors bytes of <paramref name="tensors"/> (for stores that take bytes, e.g. latent shards).</summary>
    public static byte[] ToBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var cpu = names.ToDictionary(n => n, n => tensors[n].detach().cpu().contiguous());
        try
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                if (metadata is { Count: > 0 })
                {
                    w.WriteStartObject("__metadata__");
                    foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                    w.WriteEndObject();
                }
                long offset = 0;
                foreach (var n in names)
                {
                    var t = cpu[n];
                    long size = t.numel() * TensorDType.ElementSize(t.dtype);
                    w.WriteStartObject(n);
                    w.WriteString("dtype", TensorDType.ToSafeTensorsName(t.dtype));
                    w.WriteStartArray("shape");
                    foreach (var d in t.shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                    w.WriteStartArray("data_offsets");
                    w.WriteNumberValue(offset);
                    w.WriteNumberValue(offset + size);
                    w.WriteEndArray();
                    w.WriteEndObject();
                    offset += size;
                }
                w.WriteEndObject();
            }
            var header = ms.ToArray().ToList();
            while ((8 + header.Count) % 8 != 0) header.Add((byte)' ');
            stream.Write(BitConverter.GetBytes((ulong)header.Count));
            stream.Write(header.ToArray());
            foreach (var n in names) cpu[n].WriteBytesToStream(stream);
        }
        finally
        {
            foreach (var t in cpu.Values) t.Dispose();
        }
    }
}
