using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>What only the local folder store does: the file layout, temporary files, its folder limits.</summary>
public sealed class LocalDirectoryStoreTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "rae-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_root_folder_is_created_when_missing()
    {
        var store = new LocalDirectoryStore(_root);
        Assert.True(Directory.Exists(_root));
        Assert.Equal($"local:{Path.GetFullPath(_root)}", store.Describe);
    }

    [Fact]
    public async Task A_name_is_the_file_at_that_relative_path_under_the_root()
    {
        var store = new LocalDirectoryStore(_root);
        await store.PutAsync("jobs/j1/00000.png", new byte[] { 1, 2, 3 }, "image/png");
        var file = Path.Combine(_root, "jobs", "j1", "00000.png");
        Assert.Equal(file, store.PathOf("jobs/j1/00000.png"));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task Files_placed_in_the_folder_by_others_are_listed_and_readable()
    {
        Directory.CreateDirectory(Path.Combine(_root, "in", ".cache"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "in", ".cache", "x.bin"), [9]);
        var store = new LocalDirectoryStore(_root);
        Assert.Equal(["in/.cache/x.bin"], await ListAll(store, "in/"));
        Assert.Equal([9], await store.GetAsync("in/.cache/x.bin"));
    }

    [Fact]
    public async Task Blocks_are_staged_in_the_hidden_staging_folder_and_a_commit_removes_them()
    {
        var store = new LocalDirectoryStore(_root);
        await store.PutBlockAsync("uploads/a.bin", "u1", 0, new byte[] { 1, 2 });
        await store.PutBlockAsync("uploads/a.bin", "u1", 1, new byte[] { 3 });
        var staging = Path.Combine(_root, LocalDirectoryStore.StagingFolder);
        Assert.Equal(2, Directory.GetFiles(staging, "*", SearchOption.AllDirectories).Length);
        Assert.False(Directory.Exists(Path.Combine(_root, "uploads")));

        await store.CommitBlocksAsync("uploads/a.bin", "u1", 2, "application/octet-stream");
        Assert.Empty(Directory.GetFileSystemEntries(staging));
        Assert.Equal(["a.bin"], Directory.GetFiles(Path.Combine(_root, "uploads")).Select(Path.GetFileName));
        Assert.Equal([1, 2, 3], await store.GetAsync("uploads/a.bin"));
    }

    [Theory]
    [InlineData(".blocks.partial")]
    [InlineData(".blocks.partial/x.bin")]
    public async Task Names_inside_the_staging_folder_are_refused(string name)
    {
        var store = new LocalDirectoryStore(_root);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(name, new byte[] { 1 }, "application/octet-stream"));
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("staging", error.Message);
        await store.PutAsync(".blocks.partialx/y.bin", new byte[] { 1 }, "application/octet-stream"); // only that exact folder
        Assert.Equal([".blocks.partialx/y.bin"], await ListAll(store, ""));
    }

    [Fact]
    public async Task Puts_leave_no_temporary_files_behind()
    {
        var store = new LocalDirectoryStore(_root);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.PutAsync("same.bin", new byte[1000 * i], "application/octet-stream")));
        await store.PutAsync("jobs/a.bin", new byte[] { 1 }, "application/octet-stream");
        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).Order();
        Assert.Equal([Path.Combine("jobs", "a.bin"), "same.bin"], files);
    }

    [Fact]
    public async Task Listing_skips_the_temporary_file_of_an_interrupted_put()
    {
        var store = new LocalDirectoryStore(_root);
        await store.PutAsync("jobs/00000.png", new byte[] { 1 }, "image/png");
        await File.WriteAllBytesAsync(Path.Combine(_root, "jobs", $".00001.png.{Guid.NewGuid():N}.partial"), [2]);
        await store.PutAsync("jobs/.partial", new byte[] { 3 }, "application/octet-stream"); // a real name that merely looks similar
        Assert.Equal(["jobs/.partial", "jobs/00000.png"], await ListAll(store, "jobs/"));
    }

    [Fact]
    public async Task Putting_a_name_that_is_a_folder_fails_and_leaves_no_temporary_file()
    {
        var store = new LocalDirectoryStore(_root);
        await store.PutAsync("jobs/j1/00000.png", new byte[] { 1 }, "image/png");
        await Assert.ThrowsAnyAsync<IOException>(() => store.PutAsync("jobs/j1", new byte[] { 2 }, "image/png"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "jobs")));
        Assert.Null(await store.GetAsync("jobs/j1"));
        Assert.False(await store.ExistsAsync("jobs/j1"));
    }

    [Fact]
    public async Task Deleting_the_last_name_in_a_folder_keeps_the_store_usable()
    {
        var store = new LocalDirectoryStore(_root);
        await store.PutAsync("jobs/j1/00000.png", new byte[] { 1 }, "image/png");
        Assert.True(await store.DeleteAsync("jobs/j1/00000.png"));
        Assert.Empty(await ListAll(store, ""));
        await store.PutAsync("jobs/j1/00000.png", new byte[] { 2 }, "image/png");
        Assert.Equal([2], await store.GetAsync("jobs/j1/00000.png"));
    }

    static async Task<List<string>> ListAll(IOutputStore store, string prefix)
    {
        var names = new List<string>();
        await foreach (var name in store.ListAsync(prefix)) names.Add(name);
        return names;
    }
}
