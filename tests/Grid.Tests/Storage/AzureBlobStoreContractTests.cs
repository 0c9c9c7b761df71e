using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>The store contract on an <see cref="AzureBlobStore"/> in a fresh container of a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests : OutputStoreContractTests, IDisposable
{
    readonly AzureBlobStore _store;

    public AzureBlobStoreContractTests(AzuriteFixture azurite) =>
        _store = AzureBlobStore.Create(azurite.ConnectionString, AzuriteFixture.NewContainerName());

    protected override IOutputStore Store => _store;

    protected override string DescribePrefix => "azure-blob:http://127.0.0.1:";

    public void Dispose() => _store.Container.DeleteIfExists();
}
