namespace RAE.Grid.Contracts;

/// <summary>
/// Writes a client's inputs into the grid's store, so a batch of any size travels as many small messages (never one
/// request of every image) and the client needs no store credentials. Only the content-addressed names of
/// <see cref="UploadNames"/> are accepted, and their bytes are checked against the SHA-256 the name carries, so an
/// existing name can be trusted and skipped (dedup, resume). A file of at most <see cref="ChunkBytes"/> goes in one
/// <see cref="Put"/>; a larger one in chunks (<see cref="PutChunk"/> for each, in any order, again after a failure)
/// and one <see cref="Commit"/>.
/// </summary>
[Alias("rae.IInputWriterGrain")]
public interface IInputWriterGrain : IGrainWithIntegerKey
{
    /// <summary>Largest chunk (and largest whole object in one <see cref="Put"/>) a client sends per call.</summary>
    public const int ChunkBytes = 4 * 1024 * 1024;

    /// <summary>Most names one <see cref="Exists"/> call may ask about.</summary>
    public const int MaxExistsBatch = 1024;

    /// <summary>For each name (any valid store name), whether it exists. At most <see cref="MaxExistsBatch"/> names.</summary>
    [Alias("Exists")] Task<bool[]> Exists(string[] names);

    /// <summary>
    /// Stores <paramref name="data"/> (at most <see cref="ChunkBytes"/>) under <paramref name="name"/>, an upload name
    /// whose hash must be the SHA-256 of the data; an <see cref="ArgumentException"/> naming it otherwise.
    /// </summary>
    [Alias("Put")] Task Put(string name, [Immutable] byte[] data, string contentType);

    /// <summary>
    /// Stages chunk <paramref name="index"/> (0-based; at most <see cref="ChunkBytes"/>) of upload
    /// <paramref name="uploadId"/> (1 to 64 letters, digits, '-' or '_') of <paramref name="name"/>. Sending a chunk
    /// again replaces it.
    /// </summary>
    [Alias("PutChunk")] Task PutChunk(string name, string uploadId, int index, [Immutable] byte[] data);

    /// <summary>
    /// Makes <paramref name="name"/> the concatenation of chunks 0..<paramref name="chunks"/>-1 of the upload, once
    /// their SHA-256 is found to be <paramref name="sha256Hex"/>, the hash the name carries; otherwise the object is
    /// removed and an <see cref="ArgumentException"/> names it. A missing chunk is an
    /// <see cref="InvalidOperationException"/> naming its index (send it, then commit again). When the name already
    /// exists (its bytes were checked when it was written) the upload is not needed and nothing changes.
    /// </summary>
    [Alias("Commit")] Task Commit(string name, string uploadId, int chunks, string sha256Hex, string contentType);
}
