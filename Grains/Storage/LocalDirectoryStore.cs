using System.Runtime.CompilerServices;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// An <see cref="IOutputStore"/> over a local folder: the name "jobs/abc/00003.png" is the file
/// <c>&lt;root&gt;/jobs/abc/00003.png</c>. Names are checked with <see cref="StoreNames"/>, so none can reach outside the
/// root. A put writes a temporary file next to the target and renames it over the target, so readers see the old
/// bytes or the new bytes, never a part. Content types are not stored (the file extension carries them).
/// </summary>
/// <remarks>
/// Unlike a blob container, a folder cannot hold both "a/b" and "a/b/c": putting the second fails with an
/// <see cref="IOException"/>. Deleting leaves empty folders in place, since removing them would race with concurrent
/// puts into the same folder; listings only report files. On case-insensitive file systems (Windows, macOS) names
/// that differ only in case are one file.
/// </remarks>
public sealed class LocalDirectoryStore : IOutputStore
{
    // Temporary files are "<dot><file name>.<32 hex digits>.partial": hidden, unique per put, skipped by listings.
    const string TempSuffix = ".partial";

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
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        // Same folder as the target, so the rename stays on one file system and is atomic.
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(data, cancellation);
                // Durable before visible: after a crash the name holds the old or the new bytes, not an empty file.
                stream.Flush(flushToDisk: true);
            }
            cancellation.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
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
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !IsTempFile(name) && StoreNames.IsValid(name))
                names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    static bool IsTempFile(string name)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
        if (!file.StartsWith('.') || !file.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        var stem = file[..^TempSuffix.Length];
        var dot = stem.LastIndexOf('.');
        return dot > 0 && stem.Length - dot - 1 == 32 && stem[(dot + 1)..].All(char.IsAsciiHexDigitLower);
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
