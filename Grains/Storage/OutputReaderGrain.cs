using Orleans.Concurrency;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Storage;

/// <summary>Serves reads of the store to clients; a stateless worker, so reads spread and need no state.</summary>
[StatelessWorker]
public sealed class OutputReaderGrain(IOutputStore store) : Grain, IOutputReaderGrain
{
    public async Task<string[]> List(string prefix, string? startAfter = null, int count = IOutputReaderGrain.MaxListPage)
    {
        count = Math.Clamp(count, 0, IOutputReaderGrain.MaxListPage);
        var names = new List<string>();
        // The store lists in ordinal order from the start; a page skips what the caller has seen.
        await foreach (var n in store.ListAsync(prefix))
        {
            if (names.Count >= count) break;
            if (startAfter is null || string.CompareOrdinal(n, startAfter) > 0) names.Add(n);
        }
        return names.ToArray();
    }

    /// <summary>A ranged read of the store: only the chunk is read, never the whole object.</summary>
    public Task<byte[]?> ReadChunk(string name, long offset, int count) =>
        store.GetRangeAsync(name, offset, Math.Min(count, IOutputReaderGrain.ChunkBytes));

    public Task<long?> Length(string name) => store.LengthAsync(name);
}
