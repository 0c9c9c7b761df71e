using System.Security.Cryptography;
using Orleans.Concurrency;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Writes clients' inputs into the store (see <see cref="IInputWriterGrain"/>); a stateless worker, like
/// <see cref="OutputReaderGrain"/>, so uploads spread over workers and need no state: the chunks of an upload are
/// staged by the store itself. Every name must be an upload name (<see cref="UploadNames.HashOf"/>), and what is
/// stored under it must hash to it: a small put is checked before it is written; a chunked upload is committed, then
/// read back as a stream and hashed (memory stays bounded), and removed when it does not match. Between that commit
/// and the removal a mismatching object is briefly visible; an existing name is never committed over, so a bad
/// upload can never replace or remove a good one.
/// </summary>
[StatelessWorker]
public sealed class InputWriterGrain(IOutputStore store) : Grain, IInputWriterGrain
{
    // Existence checks run this many at a time (one request each on a blob store).
    const int ExistsParallelism = 16;

    public async Task<bool[]> Exists(string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length > IInputWriterGrain.MaxExistsBatch)
            throw new ArgumentException($"{names.Length} names in one Exists call exceed IInputWriterGrain.MaxExistsBatch ({IInputWriterGrain.MaxExistsBatch})");
        var found = new bool[names.Length];
        for (var start = 0; start < names.Length; start += ExistsParallelism)
        {
            var slice = Enumerable.Range(start, Math.Min(ExistsParallelism, names.Length - start));
            await Task.WhenAll(slice.Select(async i => found[i] = await store.ExistsAsync(names[i])));
        }
        return found;
    }

    public async Task Put(string name, byte[] data, string contentType)
    {
        var expected = UploadNames.HashOf(name);
        ArgumentNullException.ThrowIfNull(data);
        CheckChunk(name, data);
        var actual = Convert.ToHexStringLower(SHA256.HashData(data));
        if (actual != expected)
            throw new ArgumentException($"'{name}': the SHA-256 of its {data.Length} bytes is {actual}, not the name's {expected}; nothing was stored");
        // Content-addressed: an existing object already holds exactly these bytes.
        if (await store.ExistsAsync(name)) return;
        await store.PutAsync(name, data, contentType);
    }

    public Task PutChunk(string name, string uploadId, int index, byte[] data)
    {
        UploadNames.HashOf(name);
        ArgumentNullException.ThrowIfNull(data);
        CheckChunk(name, data);
        return store.PutBlockAsync(name, uploadId, index, data);
    }

    public async Task Commit(string name, string uploadId, int chunks, string sha256Hex, string contentType)
    {
        var expected = UploadNames.HashOf(name);
        if (!string.Equals(sha256Hex, expected, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{name}': the upload's SHA-256 {sha256Hex} is not the name's {expected}");
        if (await store.ExistsAsync(name)) return;
        await store.CommitBlocksAsync(name, uploadId, chunks, contentType);

        string actual;
        await using (var stream = await store.OpenReadAsync(name)
                                  ?? throw new InvalidOperationException($"'{name}' vanished right after its upload '{uploadId}' was committed"))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        if (actual != expected)
        {
            await store.DeleteAsync(name);
            throw new ArgumentException($"'{name}': the SHA-256 of upload '{uploadId}' ({chunks} chunks) is {actual}, not the name's {expected}; the object was removed");
        }
    }

    static void CheckChunk(string name, byte[] data)
    {
        if (data.Length > IInputWriterGrain.ChunkBytes)
            throw new ArgumentException($"'{name}': {data.Length} bytes in one call exceed IInputWriterGrain.ChunkBytes ({IInputWriterGrain.ChunkBytes}); send larger files in chunks");
    }
}
