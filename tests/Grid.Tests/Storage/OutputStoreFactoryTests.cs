using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>The factory's local path and its validation; the Azure path is in <see cref="AzureBlobStoreTests"/>.</summary>
public sealed class OutputStoreFactoryTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "rae-factory-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Local_options_open_a_local_directory_store_at_the_path()
    {
        var store = OutputStoreFactory.Create(new OutputStoreOptions { Kind = "local", LocalPath = _root });
        var local = Assert.IsType<LocalDirectoryStore>(store);
        Assert.Equal(Path.GetFullPath(_root), local.Root);
        await store.PutAsync("a/b.bin", new byte[] { 1 }, "application/octet-stream");
        Assert.True(File.Exists(Path.Combine(_root, "a", "b.bin")));
    }

    [Fact]
    public void Invalid_options_are_rejected_with_every_problem_before_anything_is_opened()
    {
        var error = Assert.Throws<ArgumentException>(() => OutputStoreFactory.Create(new OutputStoreOptions { Kind = "azure-blob", Container = "X" }));
        Assert.Contains("ConnectionString is required", error.Message);
        Assert.Contains("Container 'X'", error.Message);
    }
}
