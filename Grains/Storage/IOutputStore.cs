namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Where a job's inputs and outputs live: a flat namespace of names ("jobs/abc/00003.png") → bytes. Two
/// implementations with one contract and one test suite: a local directory (the embedded default) and Azure Blob
/// Storage. Writes are whole-object and atomic (a reader never sees half a file); writing a name again overwrites it,
/// so retried items under deterministic names overwrite nothing else. Every member that takes a name checks it with
/// <see cref="StoreNames.Validate"/> and throws <see cref="ArgumentException"/> naming it when it is not valid.
/// Implementations: <see cref="LocalDirectoryStore"/>, <see cref="AzureBlobStore"/>; pick one with
/// <see cref="OutputStoreFactory.Create"/>.
/// </summary>
/// <remarks>
/// Large objects need never be held whole: <see cref="GetRangeAsync"/> and <see cref="OpenReadAsync"/> read a part or a
/// stream, and a chunked upload (<see cref="PutBlockAsync"/> for each block, then <see cref="CommitBlocksAsync"/>) writes
/// one block at a time. Blocks are staged out of sight (listings and reads never show them) until the commit makes the
/// object appear at once, as the concatenation of blocks 0..count-1; putting a block again replaces it, so an
/// interrupted upload resumes by putting the missing blocks. A commit consumes the upload's blocks (committing it
/// again fails on a missing block), and may discard blocks other uploads staged for the same name (Azure does).
/// </remarks>
public interface IOutputStore
{
    /// <summary>Most blocks one chunked upload may have (Azure's committed block limit); indexes are 0..MaxBlocks-1.</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>Longest upload id: letters, digits, '-' and '_' only (see <see cref="ValidateUpload"/>).</summary>
    public const int MaxUploadIdLength = 64;
    /// <summary>A short description for logs, e.g. "local:/data/out" or "azure-blob:http://127.0.0.1:10000/devstoreaccount1/rae".</summary>
    string Describe { get; }

    /// <summary>Writes (or overwrites) <paramref name="name"/> atomically; <paramref name="contentType"/> is kept where the store can hold it.</summary>
    Task PutAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default);

    /// <summary>
    /// Writes <paramref name="name"/> only if nothing is stored under it — a conditional create, atomic in the store
    /// (Azure: If-None-Match *; local: a rename that refuses to replace) — and returns true; returns false and leaves the
    /// stored object untouched when one exists. Retried writes use it so that a late attempt never replaces the object
    /// an earlier one wrote and the job recorded.
    /// </summary>
    Task<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default);

    /// <summary>Reads <paramref name="name"/>, or null when it does not exist.</summary>
    Task<byte[]?> GetAsync(string name, CancellationToken cancellation = default);

    /// <summary>Whether <paramref name="name"/> exists.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellation = default);

    /// <summary>
    /// Names that start with <paramref name="prefix"/> (plain string prefix: "jobs/a" matches "jobs/a/1.png" and
    /// "jobs/ab.png"; "" matches everything), nested names included, in ordinal order. The prefix is checked with
    /// <see cref="StoreNames.ValidatePrefix"/>.
    /// </summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellation = default);

    /// <summary>Deletes <paramref name="name"/>; returns whether it existed.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellation = default);

    /// <summary>Size of <paramref name="name"/> in bytes, or null when it does not exist.</summary>
    Task<long?> LengthAsync(string name, CancellationToken cancellation = default);

    /// <summary>
    /// Bytes [offset, offset + count) of <paramref name="name"/>: fewer at the end (none when offset is the length), or
    /// null when it does not exist. Throws <see cref="ArgumentOutOfRangeException"/> naming the name and offset when the
    /// offset is negative or past the end, and when the count is negative.
    /// </summary>
    Task<byte[]?> GetRangeAsync(string name, long offset, int count, CancellationToken cancellation = default);

    /// <summary>
    /// A read-only stream over <paramref name="name"/> that fetches as it is read (memory stays bounded whatever the
    /// size), or null when it does not exist. The caller disposes it.
    /// </summary>
    Task<Stream?> OpenReadAsync(string name, CancellationToken cancellation = default);

    /// <summary>
    /// Stages block <paramref name="index"/> of upload <paramref name="uploadId"/> of <paramref name="name"/>; nothing is
    /// visible until <see cref="CommitBlocksAsync"/>. Putting a block again replaces it. The upload id and index are
    /// checked with <see cref="ValidateUpload"/>.
    /// </summary>
    Task PutBlockAsync(string name, string uploadId, int index, ReadOnlyMemory<byte> data, CancellationToken cancellation = default);

    /// <summary>
    /// Makes <paramref name="name"/> hold blocks 0..<paramref name="count"/>-1 of upload <paramref name="uploadId"/>,
    /// concatenated, atomically (it replaces an existing object as <see cref="PutAsync"/> does), and drops the upload's
    /// blocks. Throws <see cref="InvalidOperationException"/> naming the name, upload and index when a block is missing
    /// (then nothing changes).
    /// </summary>
    Task CommitBlocksAsync(string name, string uploadId, int count, string contentType, CancellationToken cancellation = default);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the problem unless <paramref name="uploadId"/> is 1 to
    /// <see cref="MaxUploadIdLength"/> ASCII letters, digits, '-' or '_' and <paramref name="index"/> is in
    /// 0..<see cref="MaxBlocks"/>-1 (pass 0 when there is no index). Shared by every store.
    /// </summary>
    public static void ValidateUpload(string name, string uploadId, int index)
    {
        ArgumentNullException.ThrowIfNull(uploadId);
        if (uploadId.Length is 0 or > MaxUploadIdLength || !uploadId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"upload id '{uploadId}' of '{name}' must be 1 to {MaxUploadIdLength} ASCII letters, digits, '-' or '_'");
        if (index is < 0 or >= MaxBlocks)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"block {index} of upload '{uploadId}' of '{name}' is outside 0..{MaxBlocks - 1} (IOutputStore.MaxBlocks)");
    }
}
