using System.Security.Cryptography;
using System.Text;
using RAE.Grid.Contracts;

namespace RAE.Grid.Client;

/// <summary>
/// Streams a client's image files into the grid's store (through <see cref="IInputWriterGrain"/>) and writes the
/// <see cref="InputList"/> a job then reads, so a batch of any size is submitted as one small request naming the list.
/// </summary>
/// <remarks>
/// Every file is stored under the SHA-256 of its bytes (<see cref="UploadNames.Content"/>), hashed by streaming it.
/// The files go in batches of <see cref="IInputWriterGrain.MaxExistsBatch"/>: the batch is hashed, the grid is asked
/// which of its names it already holds, and only the missing ones are sent: a file of at most
/// <see cref="IInputWriterGrain.ChunkBytes"/> in one call, a larger one in chunks of that size and a commit that the
/// grid checks against the hash. At most <see cref="Concurrency"/> files are read or sent at a time, each through one
/// buffer of at most <see cref="IInputWriterGrain.ChunkBytes"/>, so the file data held in memory stays under
/// Concurrency × ChunkBytes whatever the folder's size. An upload that was interrupted is resumed by running it again:
/// stored files are found and not sent again (a large file that was cut off mid-way is sent again whole).
/// </remarks>
public sealed class InputUploader(IClusterClient cluster)
{
    /// <summary>Files hashed or sent at the same time, unless <see cref="Concurrency"/> says otherwise.</summary>
    public const int DefaultConcurrency = 4;

    /// <summary>Largest image file uploaded (the silo's Grid:MaxImageBytes default); larger ones are problems.</summary>
    public const long MaxImageBytes = 64L * 1024 * 1024;

    /// <summary>Files hashed or sent at the same time (at least 1).</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Bytes per call: a file or list of at most this goes in one put, a larger one in chunks of this size.
    /// At most (and by default) <see cref="IInputWriterGrain.ChunkBytes"/>.</summary>
    public int ChunkBytes
    {
        get => _chunkBytes;
        init => _chunkBytes = value is >= 1 and <= IInputWriterGrain.ChunkBytes
            ? value : throw new ArgumentOutOfRangeException(nameof(ChunkBytes), value, $"chunk size must be 1..IInputWriterGrain.ChunkBytes ({IInputWriterGrain.ChunkBytes})");
    }

    readonly int _chunkBytes = IInputWriterGrain.ChunkBytes;

    /// <summary>
    /// Uploads the image files among <paramref name="paths"/> (files, and folders: their image files by extension in
    /// ordinal name order) and an input list of them, in that order, each line naming the file by its file name.
    /// Paths that do not exist, files larger than <see cref="MaxImageBytes"/> and files that cannot be read or are
    /// refused are problems named in the result; the rest go on. <paramref name="progress"/> gets reports one at a time,
    /// from worker threads.
    /// </summary>
    public async Task<UploadResult> UploadImagesAsync(IEnumerable<string> paths, IProgress<UploadProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var state = new UploadState(progress);
        var files = Gather(paths, state);
        state.Start(files.Count, files.Sum(f => f.Length));
        var writer = cluster.GetGrain<IInputWriterGrain>(0);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Concurrency), CancellationToken = cancellation };
        var stored = new HashSet<string>(StringComparer.Ordinal); // names known to be in the store
        var listed = new List<(string Name, string Source)>(files.Count);

        foreach (var batch in files.Chunk(IInputWriterGrain.MaxExistsBatch))
        {
            // 1. Hash (streaming, a few files at a time).
            var sources = new string?[batch.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, batch.Length), parallel, async (i, ct) =>
            {
                try { sources[i] = UploadNames.Content(await HashFileAsync(batch[i].Path, ct), Path.GetExtension(batch[i].Path)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    state.Fail(batch[i], $"{batch[i].Path}: cannot be read ({e.Message})");
                }
            });

            // 2. Ask which names the store already holds.
            var unknown = sources.OfType<string>().Where(n => !stored.Contains(n)).Distinct(StringComparer.Ordinal).ToArray();
            foreach (var names in unknown.Chunk(IInputWriterGrain.MaxExistsBatch))
            {
                var exists = await writer.Exists(names);
                for (var i = 0; i < names.Length; i++) if (exists[i]) stored.Add(names[i]);
            }

            // 3. Send each missing name once (the first file with that content), a few at a time.
            var senders = Enumerable.Range(0, batch.Length)
                .Where(i => sources[i] is { } n && !stored.Contains(n))
                .DistinctBy(i => sources[i], StringComparer.Ordinal).ToArray();
            var refused = new HashSet<string>(StringComparer.Ordinal);
            await Parallel.ForEachAsync(senders, parallel, async (i, ct) =>
            {
                var name = sources[i]!;
                try
                {
                    await SendFileAsync(writer, batch[i], name, ChunkBytes, state, ct);
                    lock (stored) stored.Add(name);
                    state.Sent(batch[i]);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    lock (refused) refused.Add(name);
                    state.Fail(batch[i], $"{batch[i].Path}: upload failed ({e.Message})");
                }
            });

            // 4. List the batch's files in order; those that needed no sending are done now.
            var senderSet = senders.ToHashSet();
            for (var i = 0; i < batch.Length; i++)
            {
                if (sources[i] is not { } name) continue;
                if (refused.Contains(name))
                {
                    if (!senderSet.Contains(i)) state.Fail(batch[i], $"{batch[i].Path}: not stored (a file with the same content failed to upload)");
                    continue;
                }
                listed.Add((Path.GetFileName(batch[i].Path), name));
                if (!senderSet.Contains(i)) state.Skip(batch[i]);
            }
        }

        var listName = listed.Count == 0 ? null : await SendListAsync(writer, listed, ChunkBytes, state, cancellation);
        return state.Result(listName, listed.Count);
    }

    /// <summary>The files among <paramref name="paths"/>, in order; what cannot be taken is a problem.</summary>
    static List<UploadFile> Gather(IEnumerable<string> paths, UploadState state)
    {
        var files = new List<UploadFile>();
        foreach (var p in paths)
        {
            IEnumerable<string> found;
            if (Directory.Exists(p))
                found = Directory.EnumerateFiles(p).Where(ImageFiles.IsImage)
                    .OrderBy(f => f, StringComparer.Ordinal);
            else if (File.Exists(p)) found = [p];
            else { state.Problem($"{p}: no such file or folder"); continue; }
            foreach (var f in found)
            {
                var length = new FileInfo(f).Length;
                if (length > MaxImageBytes) { state.Problem($"{f}: {length} bytes exceeds MaxImageBytes {MaxImageBytes}"); continue; }
                try { InputList.Line(Path.GetFileName(f), UploadNames.ContentPrefix); }
                catch (ArgumentException e) { state.Problem($"{f}: {e.Message}"); continue; }
                files.Add(new UploadFile(f, length));
            }
        }
        return files;
    }

    static async Task<string> HashFileAsync(string path, CancellationToken cancellation)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920,
                                                FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation));
    }

    /// <summary>
    /// Sends one file: in one put when it fits a chunk, else chunk by chunk, then a commit. Only one buffer is alive at a
    /// time, sized to the chunk (the last one exactly), so nothing is copied. The bytes sent are the file's first
    /// <see cref="UploadFile.Length"/> bytes as they are now: when the file changed since it was hashed the grid
    /// refuses them (hash mismatch), naming it; when it became shorter it is a problem here.
    /// </summary>
    static async Task SendFileAsync(IInputWriterGrain writer, UploadFile file, string name, int chunkBytes, UploadState state,
        CancellationToken cancellation)
    {
        var contentType = ContentTypeOf(name);
        await using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        if (file.Length <= chunkBytes)
        {
            var whole = await ReadChunkAsync(stream, file, (int)file.Length, cancellation);
            await WriteOrFindAsync(writer, name, () => writer.Put(name, whole, contentType));
            state.Sending(file, whole.Length);
            return;
        }
        var uploadId = Guid.NewGuid().ToString("N");
        var chunks = 0;
        byte[] buffer = [];
        for (var remaining = file.Length; remaining > 0;)
        {
            cancellation.ThrowIfCancellationRequested();
            var size = (int)Math.Min(chunkBytes, remaining);
            if (buffer.Length != size) buffer = []; // let the previous buffer go before the last, smaller one is made
            buffer = await ReadChunkAsync(stream, file, size, cancellation, buffer);
            // The call is awaited before the buffer is refilled, so the message has been sent by then.
            await writer.PutChunk(name, uploadId, chunks++, buffer);
            state.Sending(file, size);
            remaining -= size;
        }
        await WriteOrFindAsync(writer, name, () => writer.Commit(name, uploadId, chunks, UploadHex(name), contentType));
    }

    // Reads exactly size bytes (into reuse when it has that size), or throws naming the file when it ended early.
    static async Task<byte[]> ReadChunkAsync(FileStream stream, UploadFile file, int size, CancellationToken cancellation, byte[]? reuse = null)
    {
        var buffer = reuse?.Length == size ? reuse : new byte[size];
        var read = await stream.ReadAtLeastAsync(buffer, size, throwOnEndOfStream: false, cancellation);
        if (read < size) throw new IOException($"{file.Path} became shorter while it was uploaded ({file.Length} bytes when listed)");
        return buffer;
    }

    /// <summary>
    /// Runs a put or commit; when it fails but the name is now stored anyway (another client stored the same content
    /// meanwhile, e.g. and its commit took this upload's staged chunks), the content is there and that is success.
    /// </summary>
    static async Task WriteOrFindAsync(IInputWriterGrain writer, string name, Func<Task> write)
    {
        try { await write(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!(await writer.Exists([name]))[0]) throw;
        }
    }

    /// <summary>Writes the input list (skipped when the same list is stored already) and returns its name.</summary>
    static async Task<string> SendListAsync(IInputWriterGrain writer, List<(string Name, string Source)> listed, int chunkBytes,
        UploadState state, CancellationToken cancellation)
    {
        // Hashed first and generated again while sending, so the list never has to be held whole.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        foreach (var line in ListLines(listed)) { hash.AppendData(line); length += line.Length; }
        var name = UploadNames.List(Convert.ToHexStringLower(hash.GetHashAndReset()));
        if ((await writer.Exists([name]))[0]) return name;

        var uploadId = Guid.NewGuid().ToString("N");
        var buffer = new byte[(int)Math.Min(chunkBytes, length)];
        int filled = 0, chunks = 0;
        foreach (var line in ListLines(listed))
        {
            var rest = line.AsMemory();
            while (rest.Length > 0)
            {
                var n = Math.Min(rest.Length, buffer.Length - filled);
                rest[..n].CopyTo(buffer.AsMemory(filled));
                filled += n;
                rest = rest[n..];
                if (filled == buffer.Length && length > chunkBytes)
                {
                    cancellation.ThrowIfCancellationRequested();
                    await writer.PutChunk(name, uploadId, chunks++, buffer);
                    state.SentBytes(filled);
                    filled = 0;
                }
            }
        }
        if (length <= chunkBytes)
        {
            await WriteOrFindAsync(writer, name, () => writer.Put(name, buffer, InputList.ContentType));
            state.SentBytes(buffer.Length);
            return name;
        }
        if (filled > 0)
        {
            await writer.PutChunk(name, uploadId, chunks++, buffer[..filled]);
            state.SentBytes(filled);
        }
        await WriteOrFindAsync(writer, name, () => writer.Commit(name, uploadId, chunks, UploadHex(name), InputList.ContentType));
        return name;
    }

    static IEnumerable<byte[]> ListLines(List<(string Name, string Source)> listed) =>
        listed.Select(l => Encoding.UTF8.GetBytes(InputList.Line(l.Name, l.Source) + "\n"));

    static string UploadHex(string name) => UploadNames.HashOf(name);

    static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".bmp" => "image/bmp",
        ".gif" => "image/gif",
        ".tga" => "image/x-tga",
        _ => "application/octet-stream",
    };

    // A class, not a record: the same path named twice is two files (one sent, one skipped), counted apart.
    sealed class UploadFile(string path, long length)
    {
        public string Path { get; } = path;
        public long Length { get; } = length;
    }

    /// <summary>Counts and problems, updated from worker threads under one lock; each change is reported in order.</summary>
    sealed class UploadState(IProgress<UploadProgress>? progress)
    {
        readonly object _lock = new();
        readonly List<string> _problems = [];
        readonly Dictionary<UploadFile, long> _sentOf = [];
        int _filesDone, _filesTotal, _uploaded, _skipped;
        long _bytesDone, _bytesTotal, _bytesSent;

        public void Problem(string problem) { lock (_lock) _problems.Add(problem); }

        public void Start(int files, long bytes) => Update(() => { _filesTotal = files; _bytesTotal = bytes; });

        /// <summary><paramref name="bytes"/> of <paramref name="file"/> went to the grid.</summary>
        public void Sending(UploadFile file, long bytes) => Update(() =>
        {
            _sentOf[file] = _sentOf.GetValueOrDefault(file) + bytes;
            _bytesDone += bytes;
            _bytesSent += bytes;
        });

        /// <summary>List bytes went to the grid (they count as sent, not as file bytes).</summary>
        public void SentBytes(long bytes) => Update(() => _bytesSent += bytes);

        public void Sent(UploadFile file) => Update(() => { _uploaded++; Done(file); });

        public void Skip(UploadFile file) => Update(() => { _skipped++; Done(file); });

        public void Fail(UploadFile file, string problem) => Update(() => { _problems.Add(problem); Done(file); });

        // The file's bytes not yet counted are done now.
        void Done(UploadFile file)
        {
            _filesDone++;
            _bytesDone += file.Length - _sentOf.GetValueOrDefault(file);
            _sentOf.Remove(file);
        }

        void Update(Action change)
        {
            lock (_lock)
            {
                change();
                progress?.Report(new UploadProgress(_filesDone, _filesTotal, _bytesDone, _bytesTotal, _bytesSent));
            }
        }

        public UploadResult Result(string? listName, int files)
        {
            lock (_lock) return new UploadResult(listName, files, _uploaded, _skipped, _bytesSent, _problems.ToArray());
        }
    }
}
