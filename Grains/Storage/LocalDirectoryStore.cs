using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// An <see cref="IOutputStore"/> over a local folder: the name "jobs/abc/00003.png" is the file
/// <c>&lt;root&gt;/jobs/abc/00003.png</c>. Names are checked with <see cref="StoreNames"/>, so none can reach outside the
/// root. A put writes a temporary file next to the target and renames it over the target, so readers see the old
/// bytes or the new bytes, never a part. Content types are not stored (the file extension carries them).
/// A chunked upload stages its blocks under the hidden folder <c>&lt;root&gt;/.blocks.partial/</c> (one folder per
/// name and upload id); a commit concatenates them into a temporary file next to the target, renames it over the
/// target and removes the upload's folder.
/// </summary>
/// <remarks>
/// Unlike a blob container, a folder cannot hold both "a/b" and "a/b/c": putting the second fails with an
/// <see cref="IOException"/>. Deleting leaves empty folders in place, since removing them would race with concurrent
/// puts into the same folder; listings only report files. On case-insensitive file systems (Windows, macOS) names
/// that differ only in case are one file. Names inside the staging folder (first segment <see cref="StagingFolder"/>)
/// are the store's own: every operation refuses them, and listings never show them. Blocks of an upload that is never
/// committed stay in the staging folder until it is cleared by hand.
/// </remarks>
public sealed class LocalDirectoryStore : IOutputStore
{
    // Temporary files are "<dot><file name>.<32 hex digits>.partial": hidden, unique per put, skipped by listings.
    const string TempSuffix = ".partial";

    /// <summary>The hidden top-level folder where chunked uploads stage their blocks (not a usable name segment).</summary>
    public const string StagingFolder = ".blocks" + TempSuffix;

    /// <summary>Opens (and creates when missing) the store rooted at <paramref name="rootDir"/>.</summary>
    public LocalDirectoryStore(string rootDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDir);
        Root = Path.GetFullPath(rootDir);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Describe => $"local:{Root}";

    /// <summary>The file that holds <paramref name="name"/> (validated).</summary>
    public string PathOf(string name)
    {
        StoreNames.Validate(name);
        if (IsStaging(name))
            throw new ArgumentException($"store name '{name}' is inside the local store's staging folder '{StagingFolder}/'");
        var path = Path.GetFullPath(Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar)));
        // Defence in depth: the name rules already exclude this; a drive- or device-like name on Windows would not.
        if (!path.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"store name '{name}' resolves outside the store root '{Root}'");
        return path;
    }

    /// <inheritdoc />
    public async Task PutAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        await WriteAtomicallyAsync(path, bufferSize: 1, (stream, ct) => stream.WriteAsync(data, ct).AsTask(), cancellation);
    }

    /// <inheritdoc />
    public async Task<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        if (File.Exists(path)) return false;
        return await WriteAtomicallyAsync(path, bufferSize: 1, (stream, ct) => stream.WriteAsync(data, ct).AsTask(), cancellation, overwrite: false);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        if (Directory.Exists(path)) return null;
        try
        {
            return await File.ReadAllBytesAsync(path, cancellation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string name, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(path));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        StoreNames.ValidatePrefix(prefix);
        // Walking a folder tree blocks, so it runs off the caller's thread (a grain's scheduler must not block).
        var names = await Task.Run(() => Collect(prefix, cancellation), cancellation);
        foreach (var name in names)
        {
            cancellation.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        // Check-then-delete: two concurrent deletes of one name may both report true.
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    List<string> Collect(string prefix, CancellationToken cancellation)
    {
        // Only the folder of the prefix's complete segments can hold matches: "jobs/ab" → <root>/jobs.
        var cut = prefix.LastIndexOf('/');
        var folder = cut < 0 ? Root : Path.Combine(Root, prefix[..cut].Replace('/', Path.DirectorySeparatorChar));
        var names = new List<string>();
        if (!Directory.Exists(folder)) return names;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.None, // names starting with '.' are "hidden" on Unix but are valid names
            IgnoreInaccessible = true,
        };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options))
        {
            cancellation.ThrowIfCancellationRequested();
            var name = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !IsTempFile(name) && !IsStaging(name) && StoreNames.IsValid(name))
                names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public Task<long?> LengthAsync(string name, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        var file = new FileInfo(path);
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetRangeAsync(string name, long offset, int count, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset {offset} of '{name}' is negative");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"count {count} of '{name}' at offset {offset} is negative");
        await using var stream = OpenOrNull(path, bufferSize: 1);
        if (stream is null) return null;
        var length = stream.Length;
        if (offset > length) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset {offset} is outside '{name}' ({length} bytes)");
        var bytes = new byte[(int)Math.Min(count, length - offset)];
        stream.Seek(offset, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(bytes, cancellation);
        return bytes;
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string name, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        cancellation.ThrowIfCancellationRequested();
        return Task.FromResult<Stream?>(OpenOrNull(path, bufferSize: 81920));
    }

    /// <inheritdoc />
    public async Task PutBlockAsync(string name, string uploadId, int index, ReadOnlyMemory<byte> data, CancellationToken cancellation = default)
    {
        PathOf(name);
        IOutputStore.ValidateUpload(name, uploadId, index);
        cancellation.ThrowIfCancellationRequested();
        // Written aside and renamed, so a block is whole or absent, and putting it again replaces it.
        await WriteAtomicallyAsync(BlockPath(StagingPathOf(name, uploadId), index), bufferSize: 1, (stream, ct) => stream.WriteAsync(data, ct).AsTask(), cancellation);
    }

    /// <inheritdoc />
    public async Task CommitBlocksAsync(string name, string uploadId, int count, string contentType, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        IOutputStore.ValidateUpload(name, uploadId, 0);
        if (count is < 0 or > IOutputStore.MaxBlocks)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"upload '{uploadId}' of '{name}': {count} blocks is outside 0..{IOutputStore.MaxBlocks} (IOutputStore.MaxBlocks)");
        cancellation.ThrowIfCancellationRequested();
        var staging = StagingPathOf(name, uploadId);
        for (var i = 0; i < count; i++)
            if (!File.Exists(BlockPath(staging, i))) throw MissingBlock(name, uploadId, i, count);

        await WriteAtomicallyAsync(path, bufferSize: 81920, async (target, ct) =>
        {
            for (var i = 0; i < count; i++)
            {
                // A concurrent commit of the same upload may have taken the blocks since they were checked.
                await using var block = OpenOrNull(BlockPath(staging, i), bufferSize: 1) ?? throw MissingBlock(name, uploadId, i, count);
                await block.CopyToAsync(target, ct);
            }
        }, cancellation);
        TryDeleteFolder(staging);
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a hidden temp file in its folder (same file system, so the rename is
    /// atomic), flushed to disk before the rename: after a crash the name holds the old or the new bytes, never a part.
    /// </summary>
    /// <returns>False (and nothing written) when <paramref name="overwrite"/> is false and the file exists.</returns>
    static async Task<bool> WriteAtomicallyAsync(string path, int bufferSize, Func<FileStream, CancellationToken, Task> write, CancellationToken cancellation,
        bool overwrite = true)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize, FileOptions.Asynchronous))
            {
                await write(stream, cancellation);
                stream.Flush(flushToDisk: true);
            }
            cancellation.ThrowIfCancellationRequested();
            if (overwrite) File.Move(temp, path, overwrite: true);
            else
            {
                // Of racing creators exactly one wins (File.Move without overwrite is not atomic on Linux).
                if (!NoReplaceLink.TryMove(temp, path)) { TryDelete(temp); return false; }
            }
            return true;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    static InvalidOperationException MissingBlock(string name, string uploadId, int index, int count) =>
        new($"upload '{uploadId}' of '{name}': block {index} of {count} is missing (put it, then commit again)");

    // <root>/.blocks.partial/<upload id>.<SHA-256 of the name>: one folder per (name, upload), whatever the name's length.
    string StagingPathOf(string name, string uploadId) =>
        Path.Combine(Root, StagingFolder, $"{uploadId}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))}");

    static string BlockPath(string stagingFolder, int index) => Path.Combine(stagingFolder, $"{index:D5}.block");

    // Null when there is no such file (or it is a folder). Readers share with writers' renames and deletes.
    static FileStream? OpenOrNull(string path, int bufferSize)
    {
        if (Directory.Exists(path)) return null;
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize,
                                  FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    static bool IsStaging(string name) =>
        name.StartsWith(StagingFolder, StringComparison.Ordinal) && (name.Length == StagingFolder.Length || name[StagingFolder.Length] == '/');

    static bool IsTempFile(string name)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
        if (!file.StartsWith('.') || !file.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        var stem = file[..^TempSuffix.Length];
        var dot = stem.LastIndexOf('.');
        return dot > 0 && stem.Length - dot - 1 == 32 && stem[(dot + 1)..].All(char.IsAsciiHexDigitLower);
    }

    static void TryDeleteFolder(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
