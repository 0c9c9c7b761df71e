using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Binds a stored output to the job item that wrote it, inside the object itself, so a resumed partition can tell its
/// own outputs from anything else stored under the same name (an object from another job, an older run, a partial
/// write), and knows who produced it: a PNG carries a <c>tEXt</c> chunk <c>rae-grid</c> =
/// <c>job=…;item=…;producer=…</c> (ignored by image readers, pixels unchanged); a latent shard's safetensors metadata
/// carries <c>job</c>, <c>items</c> (the JSON list of its items' indices) and <c>producer</c>. Also the one place that
/// hashes outputs (SHA-256, hex).
/// </summary>
public static class OutputProvenance
{
    /// <summary>Keyword of the PNG text chunk.</summary>
    public const string PngKeyword = "rae-grid";

    static readonly byte[] PngSignature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The text a PNG of item <paramref name="item"/> of job <paramref name="job"/> carries.</summary>
    public static string Tag(string job, long item, string producer) =>
        $"job={Uri.EscapeDataString(job)};item={item};producer={Uri.EscapeDataString(producer)}";

    /// <summary>
    /// <paramref name="png"/> with a <c>tEXt</c> chunk naming its job item and <paramref name="producer"/>, inserted right
    /// after the IHDR chunk.
    /// </summary>
    public static byte[] TagPng(byte[] png, string job, long item, string producer)
    {
        if (png.Length < 33 || !png.AsSpan(0, 8).SequenceEqual(PngSignature)) throw new ArgumentException("not a PNG");
        var data = Encoding.Latin1.GetBytes($"{PngKeyword}\0{Tag(job, item, producer)}");
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        "tEXt"u8.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        const int afterHeader = 8 + 25; // signature + IHDR (length, type, 13 data bytes, CRC)
        return [.. png.AsSpan(0, afterHeader), .. chunk, .. png.AsSpan(afterHeader)];
    }

    /// <summary>
    /// <paramref name="png"/> without its <c>rae-grid</c> chunk: the bytes the decoder encoded, identical for the same
    /// seed and item whatever the job (what determinism checks compare).
    /// </summary>
    public static byte[] Untagged(byte[] png)
    {
        if (PngTag(png) is null) return png;
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        return [.. png.AsSpan(0, 33), .. png.AsSpan(33 + 12 + length)];
    }

    /// <summary>The <c>rae-grid</c> text of a PNG (null when it has none or is not a PNG).</summary>
    public static string? PngTag(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(PngSignature)) return null;
        for (int at = 8; at + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            if (length < 0 || at + 12L + length > png.Length) return null;
            var type = png.Slice(at + 4, 4);
            if (type.SequenceEqual("tEXt"u8))
            {
                var text = Encoding.Latin1.GetString(png.Slice(at + 8, length));
                if (text.StartsWith(PngKeyword + "\0", StringComparison.Ordinal)) return text[(PngKeyword.Length + 1)..];
            }
            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) return null;
            at += 12 + length;
        }
        return null;
    }

    /// <summary>
    /// The producer recorded in a stored PNG when it is item <paramref name="item"/> of job <paramref name="job"/>; null
    /// when it is not (no tag, another job's or another item's, or not a PNG).
    /// </summary>
    public static string? ProducerOfItemPng(ReadOnlySpan<byte> png, string job, long item)
    {
        var prefix = $"job={Uri.EscapeDataString(job)};item={item};producer=";
        return PngTag(png) is { } tag && tag.StartsWith(prefix, StringComparison.Ordinal) ? Uri.UnescapeDataString(tag[prefix.Length..]) : null;
    }

    /// <summary>The safetensors metadata that binds a latent shard of <paramref name="job"/> to the items it holds and its producer.</summary>
    public static Dictionary<string, string> ShardMetadata(string job, string bundle, string producer, IEnumerable<long> items) => new()
    {
        ["job"] = job, ["bundle"] = bundle, ["producer"] = producer, ["items"] = JsonSerializer.Serialize(items),
    };

    /// <summary>
    /// The producer a stored latent shard names when it is <paramref name="job"/>'s and holds every one of
    /// <paramref name="items"/>; null when it is not (another job's, missing items, not a shard).
    /// </summary>
    public static string? ProducerOfShard(ReadOnlySpan<byte> safetensors, string job, IEnumerable<long> items) =>
        ShardItems(safetensors) is { } shard && shard.Job == job && items.All(shard.Items.Contains) ? shard.Producer : null;

    /// <summary>
    /// The job, item indices and producer a stored latent shard names in its metadata (null when it is not a readable
    /// shard with that metadata).
    /// </summary>
    public static (string Job, long[] Items, string Producer)? ShardItems(ReadOnlySpan<byte> safetensors)
    {
        if (safetensors.Length < 8) return null;
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(safetensors);
        if (headerLength <= 0 || headerLength > safetensors.Length - 8) return null;
        try
        {
            using var doc = JsonDocument.Parse(safetensors.Slice(8, (int)headerLength).ToArray());
            if (!doc.RootElement.TryGetProperty("__metadata__", out var meta)) return null;
            var job = meta.TryGetProperty("job", out var j) ? j.GetString() : null;
            var items = meta.TryGetProperty("items", out var i) ? JsonSerializer.Deserialize<long[]>(i.GetString() ?? "") : null;
            var producer = meta.TryGetProperty("producer", out var p) ? p.GetString() ?? "" : "";
            return job is null || items is null ? null : (job, items, producer);
        }
        catch (JsonException) { return null; }
    }
}
