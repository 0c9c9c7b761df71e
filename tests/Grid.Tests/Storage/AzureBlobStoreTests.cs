using Azure.Storage.Blobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>What only the Azure Blob store does: content types, container creation, client options.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public void Client_options_pin_a_service_version_azurite_accepts_and_retry_exponentially()
    {
        var options = AzureBlobStore.CreateClientOptions();
        Assert.Equal(BlobClientOptions.ServiceVersion.V2026_06_06, options.Version);
        Assert.Equal(Azure.Core.RetryMode.Exponential, options.Retry.Mode);
        Assert.True(options.Retry.MaxRetries >= 3);
    }

    [Fact]
    public async Task Puts_store_the_given_content_type_or_octet_stream_when_none_is_given()
    {
        var store = await AzureBlobStore.CreateAsync(azurite.ConnectionString, AzuriteFixture.NewContainerName());
        await store.PutAsync("jobs/j1/00000.png", new byte[] { 1 }, "image/png");
        await store.PutAsync("jobs/j1/blob", new byte[] { 2 }, "");
        Assert.Equal("image/png", (await store.Container.GetBlobClient("jobs/j1/00000.png").GetPropertiesAsync()).Value.ContentType);
        Assert.Equal(AzureBlobStore.DefaultContentType, (await store.Container.GetBlobClient("jobs/j1/blob").GetPropertiesAsync()).Value.ContentType);
        await store.Container.DeleteAsync();
    }

    [Fact]
    public async Task Create_makes_the_container_when_missing_and_reuses_it_when_present()
    {
        var name = AzuriteFixture.NewContainerName();
        Assert.False((await azurite.ContainerClient(name).ExistsAsync()).Value);
        var first = AzureBlobStore.Create(azurite.ConnectionString, name);
        Assert.True((await first.Container.ExistsAsync()).Value);
        await first.PutAsync("kept.bin", new byte[] { 7 }, "application/octet-stream");
        var second = await AzureBlobStore.CreateAsync(azurite.ConnectionString, name);
        Assert.Equal([7], await second.GetAsync("kept.bin"));
        Assert.Equal($"azure-blob:http://127.0.0.1:{azurite.Port}/devstoreaccount1/{name}", second.Describe);
        await first.Container.DeleteAsync();
    }

    [Fact]
    public async Task Reads_from_a_container_that_does_not_exist_find_nothing()
    {
        var store = new AzureBlobStore(azurite.ContainerClient(AzuriteFixture.NewContainerName()));
        Assert.Null(await store.GetAsync("a.bin"));
        Assert.False(await store.ExistsAsync("a.bin"));
        Assert.False(await store.DeleteAsync("a.bin"));
    }

    [Fact]
    public async Task The_factory_opens_an_azure_blob_store_from_options_creating_its_container()
    {
        var container = AzuriteFixture.NewContainerName();
        var store = OutputStoreFactory.Create(new OutputStoreOptions
        {
            Kind = "azure-blob", ConnectionString = azurite.ConnectionString, Container = container,
        });
        var blob = Assert.IsType<AzureBlobStore>(store);
        Assert.True((await blob.Container.ExistsAsync()).Value);
        await store.PutAsync("x.bin", new byte[] { 5 }, "application/octet-stream");
        Assert.Equal([5], await store.GetAsync("x.bin"));
        await blob.Container.DeleteAsync();
    }
}
