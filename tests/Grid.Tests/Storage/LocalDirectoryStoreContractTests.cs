using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>The store contract on a <see cref="LocalDirectoryStore"/> in a fresh temporary folder.</summary>
public sealed class LocalDirectoryStoreContractTests : OutputStoreContractTests, IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rae-store-").FullName;
    readonly LocalDirectoryStore _store;

    public LocalDirectoryStoreContractTests() => _store = new LocalDirectoryStore(_root);

    protected override IOutputStore Store => _store;

    protected override string DescribePrefix => "local:";

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
