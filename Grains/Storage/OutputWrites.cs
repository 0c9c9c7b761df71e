using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// How a stage stores an item's output: once. A retried item (a call that timed out but still finished, then ran again)
/// must never leave a different object behind from the one its job records, so the write is a conditional create; if an
/// object is already there and it is this item's own, that object is kept and reported, and anything else is replaced.
/// </summary>
public static class OutputWrites
{
    /// <summary>
    /// Stores <paramref name="bytes"/> under <paramref name="name"/> unless <paramref name="ownProducer"/> recognises the
    /// object already stored there as this item's (returning its producer); returns the receipt of what the store holds.
    /// </summary>
    public static async Task<OutputReceipt> PutOnceAsync(IOutputStore store, string name, byte[] bytes, string contentType, string producer,
        Func<byte[], string?> ownProducer, CancellationToken cancellation)
    {
        if (!await store.PutIfAbsentAsync(name, bytes, contentType, cancellation))
        {
            if (await store.GetAsync(name, cancellation) is { } stored && ownProducer(stored) is { } earlier)
                return new OutputReceipt(stored.LongLength, OutputProvenance.Sha256(stored), earlier);
            await store.PutAsync(name, bytes, contentType, cancellation);
        }
        return new OutputReceipt(bytes.LongLength, OutputProvenance.Sha256(bytes), producer);
    }
}
