using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// An <see cref="IOutputStore"/> over one Azure Blob Storage container (or Azurite): a name is a block blob name. A put
/// is one upload that the service commits as a whole, so readers never see a part; the content type is stored on the
/// blob. Transient failures (timeouts, 408/429/5xx, dropped connections) are retried by the SDK's own pipeline with
/// the policy of <see cref="CreateClientOptions"/>. A chunked upload stages each block with Put Block under an id
/// derived from (upload id, index) and commits them with Put Block List, so the service keeps them out of sight until
/// the commit and a re-put block replaces the earlier one.
/// </summary>
public sealed class AzureBlobStore : IOutputStore
{
    /// <summary>Content type stored when a put gives none.</summary>
    public const string DefaultContentType = "application/octet-stream";

    readonly BlobContainerClient _container;

    /// <summary>Wraps an existing container (use <see cref="Create"/> / <see cref="CreateAsync"/> to create it if missing).</summary>
    public AzureBlobStore(BlobContainerClient container)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
    }

    /// <summary>The container this store writes to.</summary>
    public BlobContainerClient Container => _container;

    /// <inheritdoc />
    public string Describe => $"azure-blob:{_container.Uri}";

    /// <summary>
    /// Client options for every store client: the service version pinned to 2026-06-06 (the SDK's default, 2026-10-06, is
    /// rejected by Azurite 3.37.0 with HTTP 400, and pinning keeps Azurite's version check on) and exponential retries.
    /// </summary>
    public static BlobClientOptions CreateClientOptions()
    {
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(20);
        // Per try; a put of a large shard over a slow link still fits.
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        return options;
    }

    /// <summary>Connects to <paramref name="containerName"/> with <paramref name="connectionString"/>, creating the container if missing.</summary>
    public static AzureBlobStore Create(string connectionString, string containerName)
    {
        var container = ContainerClient(connectionString, containerName);
        container.CreateIfNotExists();
        return new AzureBlobStore(container);
    }

    /// <summary>Asynchronous <see cref="Create"/>.</summary>
    public static async Task<AzureBlobStore> CreateAsync(string connectionString, string containerName, CancellationToken cancellation = default)
    {
        var container = ContainerClient(connectionString, containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellation);
        return new AzureBlobStore(container);
    }

    static BlobContainerClient ContainerClient(string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return new BlobServiceClient(connectionString, CreateClientOptions()).GetBlobContainerClient(containerName);
    }

    /// <inheritdoc />
    public async Task PutAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType },
        };
        await blob.UploadAsync(new BinaryData(data), options, cancellation);
    }

    /// <inheritdoc />
    public async Task<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, string contentType, CancellationToken cancellation = default)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType },
            Conditions = new BlobRequestConditions { IfNoneMatch = Azure.ETag.All },
        };
        try
        {
            await BlobOf(name).UploadAsync(new BinaryData(data), options, cancellation);
            return true;
        }
        catch (Azure.RequestFailedException e) when (e.Status is 409 or 412) { return false; }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        try
        {
            var result = await blob.DownloadContentAsync(cancellation);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        return (await blob.ExistsAsync(cancellation)).Value;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        StoreNames.ValidatePrefix(prefix);
        // The service lists in its own (UTF-8 byte) order; the contract is ordinal UTF-16 order, which differs for
        // characters beyond the BMP, so the listing is collected and sorted.
        var names = new List<string>();
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellation))
            names.Add(item.Name);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellation.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        return (await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellation)).Value;
    }

    /// <inheritdoc />
    public async Task<long?> LengthAsync(string name, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellation)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetRangeAsync(string name, long offset, int count, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset {offset} of '{name}' is negative");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"count {count} of '{name}' at offset {offset} is negative");
        // An empty range cannot be asked for (an HttpRange of length 0 means "to the end"), nor one that starts at the
        // end (the service answers 416), so both are settled from the length.
        if (count == 0) return EmptyAt(name, offset, await LengthAsync(name, cancellation));
        try
        {
            var result = await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, count) }, cancellation);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return EmptyAt(name, offset, await LengthAsync(name, cancellation));
        }
    }

    // The answer for an empty range at offset of an object of the given length (null: absent).
    static byte[]? EmptyAt(string name, long offset, long? length)
    {
        if (length is null) return null;
        if (offset > length) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset {offset} is outside '{name}' ({length} bytes)");
        return [];
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string name, CancellationToken cancellation = default)
    {
        var blob = BlobOf(name);
        try
        {
            // allowModifications: false pins the blob's ETag, so a concurrent overwrite fails the read instead of mixing versions.
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellation);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task PutBlockAsync(string name, string uploadId, int index, ReadOnlyMemory<byte> data, CancellationToken cancellation = default)
    {
        var blob = BlockBlobOf(name);
        IOutputStore.ValidateUpload(name, uploadId, index);
        await blob.StageBlockAsync(BlockId(uploadId, index), new BinaryData(data).ToStream(), cancellationToken: cancellation);
    }

    /// <inheritdoc />
    public async Task CommitBlocksAsync(string name, string uploadId, int count, string contentType, CancellationToken cancellation = default)
    {
        var blob = BlockBlobOf(name);
        IOutputStore.ValidateUpload(name, uploadId, 0);
        if (count is < 0 or > IOutputStore.MaxBlocks)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"upload '{uploadId}' of '{name}': {count} blocks is outside 0..{IOutputStore.MaxBlocks} (IOutputStore.MaxBlocks)");
        var ids = Enumerable.Range(0, count).Select(i => BlockId(uploadId, i)).ToArray();
        // Put Block List would also accept ids of blocks already committed, and fails without naming the missing one,
        // so the staged (uncommitted) blocks are checked first.
        var staged = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var list = await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: cancellation);
            foreach (var block in list.Value.UncommittedBlocks) staged.Add(block.Name);
        }
        catch (RequestFailedException e) when (e.Status == 404) { } // nothing staged and no blob yet
        for (var i = 0; i < count; i++)
            if (!staged.Contains(ids[i]))
                throw new InvalidOperationException($"upload '{uploadId}' of '{name}': block {i} of {count} is missing (put it, then commit again)");
        var options = new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType },
        };
        await blob.CommitBlockListAsync(ids, options, cancellation);
    }

    /// <summary>
    /// The block id of block <paramref name="index"/> of upload <paramref name="uploadId"/>: base64 of SHA-256 of
    /// "uploadId/index", so it is deterministic (a re-put replaces the block) and of one length for every upload of a
    /// blob, as the service requires.
    /// </summary>
    public static string BlockId(string uploadId, int index) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{uploadId}/{index}")));

    BlobClient BlobOf(string name) => _container.GetBlobClient(StoreNames.Validate(name));

    BlockBlobClient BlockBlobOf(string name) => _container.GetBlockBlobClient(StoreNames.Validate(name));
}
