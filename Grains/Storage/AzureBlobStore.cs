using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// An <see cref="IOutputStore"/> over one Azure Blob Storage container (or Azurite): a name is a block blob name. A put
/// is one upload that the service commits as a whole, so readers never see a part; the content type is stored on the
/// blob. Transient failures (timeouts, 408/429/5xx, dropped connections) are retried by the SDK's own pipeline with
/// the policy of <see cref="CreateClientOptions"/>.
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

    BlobClient BlobOf(string name) => _container.GetBlobClient(StoreNames.Validate(name));
}
