using System.IO.MemoryMappedFiles;
using System.Text.Json;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// A safetensors file opened lazily: the header is parsed and validated up front, tensor data is read from a
/// memory map only when a tensor is asked for. Malformed files (truncated, absurd header length, bad JSON,
/// unknown dtype, offsets outside the file, size not matching the shape) raise <see cref="InvalidDataException"/>
/// naming the file and the problem, before any large allocation.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the format's own readers use 100 MB).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? _map;
    private readonly long _dataStart;

    /// <summary>Path of the file.</summary>
    public string Path { get; }
    /// <summary>Entries by tensor name, in file order.</summary>
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }
    /// <summary>The <c>__metadata__</c> map, empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafeTensorsFile(string path, MemoryMappedFile? map, long dataStart,
        Dictionary<string, SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path; _map = map; _dataStart = dataStart; Entries = entries; Metadata = metadata;
    }

    /// <summary>Opens and validates a safetensors file.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var length = new FileInfo(path).Length;
        Exception Bad(string why) => new InvalidDataException($"{path}: not a valid safetensors file: {why}");
        if (length < 8) throw Bad($"file is {length} bytes, shorter than the 8-byte header length");
        byte[] header;
        using (var fs = File.OpenRead(path))
        {
            Span<byte> lenBytes = stackalloc byte[8];
            fs.ReadExactly(lenBytes);
            var n = BitConverter.ToUInt64(lenBytes);
            if (n > (ulong)MaxHeaderBytes) throw Bad($"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
            if ((long)n > length - 8) throw Bad($"header length {n} runs past the end of the {length}-byte file (truncated?)");
            header = new byte[n];
            fs.ReadExactly(header);
        }
        var dataStart = 8 + header.LongLength;
        var dataLength = length - dataStart;
        var entries = new Dictionary<string, SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>();
        // JsonDocument defers UTF-8 checks of names to first use; check up front so bad bytes fail here, clearly.
        try { _ = new System.Text.UTF8Encoding(false, true).GetCharCount(header); }
        catch (System.Text.DecoderFallbackException) { throw Bad("header is not valid UTF-8"); }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Bad($"header is not JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("header is not a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                try
                {
                    var dtype = p.Value.GetProperty("dtype").GetString() ?? "";
                    if (!TensorDType.SafeTensorsNames.TryGetValue(dtype, out var dt))
                        throw Bad($"tensor '{p.Name}' has unsupported dtype '{dtype}'");
                    var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    if (shape.Any(d => d < 0)) throw Bad($"tensor '{p.Name}' has a negative dimension");
                    var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > dataLength)
                        throw Bad($"tensor '{p.Name}' has data_offsets [{string.Join(",", offs)}] outside the {dataLength}-byte data section (truncated?)");
                    long numel = 1;
                    foreach (var d in shape) numel = checked(numel * d);
                    if (checked(numel * dt.Size) != offs[1] - offs[0])
                        throw Bad($"tensor '{p.Name}' {dtype}[{string.Join(",", shape)}] needs {numel * dt.Size} bytes but its offsets span {offs[1] - offs[0]}");
                    entries[p.Name] = new SafeTensorsEntry(p.Name, dtype, shape, offs[0], offs[1]);
                }
                catch (KeyNotFoundException) { throw Bad($"tensor '{p.Name}' lacks dtype, shape or data_offsets"); }
                catch (InvalidOperationException e) { throw Bad($"tensor '{p.Name}': {e.Message}"); }
                catch (FormatException e) { throw Bad($"tensor '{p.Name}': {e.Message}"); }
                catch (OverflowException) { throw Bad($"tensor '{p.Name}' has an absurd shape"); }
            }
        }
        var map = length > dataStart
            ? MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read)
            : null;
        return new SafeTensorsFile(path, map, dataStart, entries, metadata);
    }

    /// <summary>Tensor names in the file.</summary>
    public IEnumerable<string> Keys => Entries.Keys;

    /// <summary>Whether the file holds a tensor of this name.</summary>
    public bool Contains(string name) => Entries.ContainsKey(name);

    /// <summary>Reads one tensor (a fresh CPU tensor that owns its memory).</summary>
    public Tensor Load(string name)
    {
        if (!Entries.TryGetValue(name, out var e))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");
        var (type, size) = TensorDType.SafeTensorsNames[e.DType];
        var t = empty(e.Shape, type);
        var count = e.End - e.Begin;
        if (count == 0) return t;
        using var view = _map!.CreateViewAccessor(_dataStart + e.Begin, count, MemoryMappedFileAccess.Read);
        unsafe
        {
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            try
            {
                // Copied in chunks: a span cannot cover a tensor of 2 GiB or more.
                using var flat = t.view(-1);
                var chunk = (1L << 28) / size;
                for (long done = 0; done < flat.numel(); done += chunk)
                {
                    using var part = flat.narrow(0, done, Math.Min(chunk, flat.numel() - done));
                    new ReadOnlySpan<byte>(ptr + view.PointerOffset + done * size, (int)(part.numel() * size)).CopyTo(part.bytes);
                }
            }
            finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
        }
        return t;
    }

    /// <summary>Reads every tensor into a dictionary.</summary>
    public Dictionary<string, Tensor> LoadAll() => Entries.Keys.ToDictionary(k => k, Load);

    /// <summary>Convenience: opens a file and reads every tensor.</summary>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var f = Open(path);
        return f.LoadAll();
    }

    /// <inheritdoc />
    public void Dispose() => _map?.Dispose();
}
