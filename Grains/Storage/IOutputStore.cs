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
public interface IOutputStore
{
    /// <summary>A short description for logs, e.g. "local:/data/out" or "azure-blob:http://127.0.0.1:10000/devstoreaccount1/rae".</summary>
    string Describe { get; }

    /// <summary>Writes (or overwrites) <paramref name="name"/> atomically; <paramref name="contentType"/> is kept where the store can hold it.</summary>
    Task PutAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default);

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
}
