namespace RAE.Grid.Contracts;

/// <summary>
/// Reads a job's outputs from the grid's store, so a client needs no store credentials. Large files come in chunks of
/// at most <see cref="ChunkBytes"/> to stay under the message size limit.
/// </summary>
[Alias("rae.IOutputReaderGrain")]
public interface IOutputReaderGrain : IGrainWithIntegerKey
{
    /// <summary>Largest chunk returned by <see cref="ReadChunk"/>.</summary>
    public const int ChunkBytes = 16 * 1024 * 1024;

    /// <summary>Most names one <see cref="List"/> call returns.</summary>
    public const int MaxListPage = 10_000;

    /// <summary>
    /// Names under <paramref name="prefix"/> in ordinal order that come after <paramref name="startAfter"/> (null: from
    /// the first), at most <paramref name="count"/> (capped at <see cref="MaxListPage"/>): a page of the listing, so a
    /// job of a million outputs is listed in bounded messages.
    /// </summary>
    [Alias("List")] Task<string[]> List(string prefix, string? startAfter = null, int count = MaxListPage);

    /// <summary>Bytes [offset, offset+count) of <paramref name="name"/> (fewer at the end; null if it does not exist).</summary>
    [Alias("ReadChunk")] Task<byte[]?> ReadChunk(string name, long offset, int count);

    /// <summary>Size of <paramref name="name"/> in bytes, or null if it does not exist.</summary>
    [Alias("Length")] Task<long?> Length(string name);
}
