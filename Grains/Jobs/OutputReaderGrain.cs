using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>Serves reads of the store to clients; a stateless worker, so reads spread and need no state.</summary>
[StatelessWorker]
public sealed class OutputReaderGrain(IOutputStore store) : Grain, IOutputReaderGrain
{
    public async Task<string[]> List(string prefix)
    {
        var names = new List<string>();
        await foreach (var n in store.ListAsync(prefix)) names.Add(n);
        return names.ToArray();
    }

    public async Task<byte[]?> ReadChunk(string name, long offset, int count)
    {
        StoreNames.Validate(name);
        count = Math.Min(count, IOutputReaderGrain.ChunkBytes);
        var all = await store.GetAsync(name);
        if (all is null) return null;
        if (offset < 0 || offset > all.LongLength) throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is outside '{name}' ({all.LongLength} bytes)");
        return all.AsSpan((int)offset, (int)Math.Min(count, all.LongLength - offset)).ToArray();
    }

    public async Task<long?> Length(string name) => (await store.GetAsync(StoreNames.Validate(name)))?.LongLength;
}
