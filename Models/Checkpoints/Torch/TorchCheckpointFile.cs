using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using RAE.Grid.Models.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints.Torch;

/// <summary>
/// A PyTorch checkpoint in the zip format of <c>torch.save</c> (torch ≥ 1.6), opened lazily. The pickle
/// <c>&lt;stem&gt;/data.pkl</c> is decoded at open (the stem is whatever the archive holds, not the file name) into a
/// tree of <see cref="OrderedDictionary{TKey,TValue}"/>, <see cref="List{T}"/>, tuples (<c>object?[]</c>), primitives,
/// <c>null</c> and <see cref="TorchTensorRef"/> leaves; a storage <c>&lt;stem&gt;/data/&lt;key&gt;</c> is read only when
/// a tensor viewing it is loaded. Any malformation raises <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed partial class TorchCheckpointFile : IDisposable
{
    /// <summary>Deepest nesting of dicts/lists accepted (also stops self-referencing pickles).</summary>
    public const int MaxDepth = 256;

    /// <summary>Largest ratio of uncompressed to compressed size accepted for an entry (deflate cannot exceed ~1032).</summary>
    private const long MaxCompressionRatio = 1100;

    private readonly FileStream _stream;
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, TorchStorageRef> _storages = new();
    private readonly Dictionary<string, Tensor> _loaded = new();

    /// <summary>Path of the file.</summary>
    public string Path { get; }
    /// <summary>The folder name inside the zip (<c>torch.save</c> uses the file's stem at save time).</summary>
    public string ArchiveName { get; }
    /// <summary>The unpickled object, with <see cref="TorchTensorRef"/> leaves.</summary>
    public object? Root { get; private set; }

    private TorchCheckpointFile(string path, FileStream stream, ZipArchive zip, string archiveName)
    {
        Path = path; _stream = stream; _zip = zip; ArchiveName = archiveName;
    }

    /// <summary>Opens a checkpoint and decodes its pickle; storages are not read yet.</summary>
    public static TorchCheckpointFile Open(string path)
    {
        FileStream? stream = null;
        ZipArchive? zip = null;
        try
        {
            stream = File.OpenRead(path);
            CheckMagic(stream);
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var pickles = zip.Entries.Where(e => PickleEntry().IsMatch(e.FullName)).ToList();
            if (pickles.Count == 0)
                throw new InvalidDataException("the zip holds no <name>/data.pkl entry (not a torch.save checkpoint)");
            if (pickles.Count > 1)
                throw new InvalidDataException($"the zip holds several pickles ({string.Join(", ", pickles.Select(p => p.FullName))})");
            var archive = pickles[0].FullName[..^"/data.pkl".Length];
            var file = new TorchCheckpointFile(path, stream, zip, archive);
            file.CheckByteOrder();
            var pickle = file.ReadEntry(pickles[0], Array.MaxLength);
            file.Root = Unpickler.Load(pickle, new TorchPickleResolver(file.DeclareStorage));
            return file;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or OverflowException
                                       or NotSupportedException or ArgumentException)
        {
            zip?.Dispose();
            stream?.Dispose();
            if (e is FileNotFoundException or DirectoryNotFoundException) throw;
            throw e.Message.StartsWith(path, StringComparison.Ordinal) ? e
                : new InvalidDataException($"{path}: {Describe(e)}", e);
        }
    }

    /// <summary>Reads a checkpoint whole: its tree with every <see cref="TorchTensorRef"/> loaded as a <see cref="Tensor"/>.</summary>
    public static object? ReadTree(string path)
    {
        using var f = Open(path);
        return f.Materialize(f.Root);
    }

    /// <summary>
    /// Reads the state dict of a checkpoint: <c>{"ema": ...}</c> (preferred) or <c>{"model": ...}</c> unwrapped,
    /// nested keys joined with ".", <c>module.</c> / <c>_orig_mod.</c> stripped, None skipped. Only the tensors of
    /// the chosen state dict are read (an optimizer state beside it costs nothing).
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        using var f = Open(path);
        var refs = StateDictKeys.WithStrippedPrefixes(
            StateDictKeys.Flatten<TorchTensorRef>(StateDictKeys.Unwrap(f.Root), path), path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (k, r) in refs) result[k] = f.Load(r);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// Copy of <paramref name="node"/> with every tensor reference loaded. Dicts, lists and tuples are copied once
    /// each, so objects the pickle shares stay shared (and a pickle of doubly-shared sub-dicts stays linear in size);
    /// a container that contains itself raises.
    /// </summary>
    public object? Materialize(object? node) =>
        Materialize(node, new Dictionary<object, object>(ReferenceEqualityComparer.Instance), 0);

    private object? Materialize(object? node, Dictionary<object, object> done, int depth)
    {
        if (node is TorchTensorRef t) return Load(t);
        if (node is not (OrderedDictionary<object, object?> or List<object?> or object?[])) return node;
        if (done.TryGetValue(node, out var copy))
            return copy ?? throw new InvalidDataException($"{Path}: a dict or list contains itself");
        if (depth > MaxDepth) throw new InvalidDataException($"{Path}: nesting deeper than {MaxDepth}");
        done[node] = null!; // in progress: seeing it again below means a cycle
        copy = node switch
        {
            OrderedDictionary<object, object?> d => d.Select(kv => (kv.Key, Value: Materialize(kv.Value, done, depth + 1)))
                .Aggregate(new OrderedDictionary<object, object?>(), (acc, kv) => { acc[kv.Key] = kv.Value; return acc; }),
            List<object?> l => l.Select(x => Materialize(x, done, depth + 1)).ToList(),
            _ => ((object?[])node).Select(x => Materialize(x, done, depth + 1)).ToArray(),
        };
        done[node] = copy;
        return copy;
    }

    /// <summary>
    /// Loads one tensor: a contiguous CPU tensor of the checkpoint's dtype. A view that is already contiguous shares
    /// its storage's memory with other such views, as in torch; a strided view (transpose, step slice) is copied.
    /// </summary>
    public Tensor Load(TorchTensorRef t)
    {
        try
        {
            var storage = LoadStorage(t.Storage);
            var view = storage.as_strided(t.Shape, t.Stride, t.Offset);
            if (view.is_contiguous()) return view;
            using (view) return view.contiguous();
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !e.Message.StartsWith(Path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Path}: storage '{t.Storage.Key}': {Describe(e)}", e);
        }
    }

    private Tensor LoadStorage(TorchStorageRef s)
    {
        if (_loaded.TryGetValue(s.Key, out var cached)) return cached;
        var entry = _zip.GetEntry($"{ArchiveName}/data/{s.Key}")!; // existence checked when the pickle named it
        // Kept out of any caller's dispose scope: views handed out later still need it.
        var storage = empty(s.Numel, s.Type.DType).DetachFromDisposeScope();
        try
        {
            using var src = entry.Open();
            // Chunks keep every span under 2 GiB, whatever the storage size.
            var chunk = (1L << 28) / s.Type.ElementSize;
            for (long done = 0; done < s.Numel; done += chunk)
            {
                using var part = storage.narrow(0, done, Math.Min(chunk, s.Numel - done));
                src.ReadExactly(part.bytes);
            }
        }
        catch (EndOfStreamException)
        {
            storage.Dispose();
            throw new InvalidDataException($"entry {entry.FullName} ends before its {s.ByteLength} bytes (truncated?)");
        }
        catch
        {
            storage.Dispose();
            throw;
        }
        _loaded[s.Key] = storage;
        return storage;
    }

    /// <summary>Checks a storage the pickle declares against its zip entry before anything is allocated.</summary>
    private TorchStorageRef DeclareStorage(TorchStorageType type, string key, string location, long numel)
    {
        if (_storages.TryGetValue(key, out var known))
            return known.Type == type && known.Numel == numel ? known
                : throw new InvalidDataException($"storage '{key}' is declared twice with different types or sizes");
        if (key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw new InvalidDataException($"storage key '{key}' is not a plain name");
        var name = $"{ArchiveName}/data/{key}";
        var entry = _zip.GetEntry(name) ?? throw new InvalidDataException($"storage entry {name} is missing");
        long bytes;
        try { bytes = checked(numel * type.ElementSize); }
        catch (OverflowException) { throw new InvalidDataException($"storage '{key}' declares an absurd size of {numel} elements"); }
        if (entry.Length < bytes)
            throw new InvalidDataException($"storage entry {name} holds {entry.Length} bytes but the pickle declares " +
                $"{numel} {type.Name} elements ({bytes} bytes)");
        CheckEntrySize(entry);
        var s = new TorchStorageRef(key, type, location, numel);
        _storages[key] = s;
        return s;
    }

    /// <summary>Refuses entry sizes no real file can have, before they size an allocation.</summary>
    private void CheckEntrySize(ZipArchiveEntry entry)
    {
        if (entry.CompressedLength > _stream.Length)
            throw new InvalidDataException($"entry {entry.FullName} claims {entry.CompressedLength} compressed bytes, " +
                $"more than the {_stream.Length}-byte file (truncated?)");
        if (entry.Length > Math.Max(entry.CompressedLength, 1) * MaxCompressionRatio)
            throw new InvalidDataException($"entry {entry.FullName} claims {entry.Length} bytes from " +
                $"{entry.CompressedLength} compressed: absurd size");
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, long limit)
    {
        CheckEntrySize(entry);
        if (entry.Length > limit) throw new InvalidDataException($"entry {entry.FullName} is {entry.Length} bytes, over the {limit}-byte limit");
        var buffer = new byte[entry.Length];
        using var s = entry.Open();
        try { s.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new InvalidDataException($"entry {entry.FullName} ends before its {entry.Length} bytes (truncated?)"); }
        return buffer;
    }

    /// <summary>torch ≥ 2.1 records the byte order; older files are little-endian.</summary>
    private void CheckByteOrder()
    {
        var entry = _zip.GetEntry($"{ArchiveName}/byteorder");
        if (entry is null) return;
        var order = Encoding.ASCII.GetString(ReadEntry(entry, 64)).Trim();
        if (order == "big")
            throw new InvalidDataException("the checkpoint was saved on a big-endian machine; only little-endian data is supported");
        if (order != "little") throw new InvalidDataException($"unknown byteorder '{order}'");
    }

    private static void CheckMagic(FileStream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (n >= 2 && head[0] == 'P' && head[1] == 'K') return;
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
            throw new InvalidDataException("this is the legacy (pre-1.6, non-zip) torch.save format, which is not " +
                "supported: re-save it with torch.save in a current PyTorch");
        throw new InvalidDataException(n < 4 ? $"file is only {n} bytes, not a torch zip checkpoint"
            : "not a zip file (no 'PK' signature), so not a torch.save checkpoint");
    }

    private static string Describe(Exception e) => e switch
    {
        EndOfStreamException => "file ends early (truncated?)",
        _ => e.Message,
    };

    [GeneratedRegex(@"^[^/]+/data\.pkl$")]
    private static partial Regex PickleEntry();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _loaded.Values) t.Dispose();
        _loaded.Clear();
        _zip.Dispose();
        _stream.Dispose();
    }
}
