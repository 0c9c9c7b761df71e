using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>
/// The <see cref="IOutputStore"/> contract, run against every store by subclassing: each subclass supplies a fresh,
/// empty store per test (xunit makes one instance per test).
/// </summary>
public abstract class OutputStoreContractTests
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract IOutputStore Store { get; }

    /// <summary>How <see cref="IOutputStore.Describe"/> starts, e.g. "local:".</summary>
    protected abstract string DescribePrefix { get; }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(256)]
    [InlineData(5 * 1024 * 1024)]
    public async Task Put_then_get_returns_the_same_bytes(int size)
    {
        var data = Bytes(size, seed: size);
        await Store.PutAsync("jobs/j1/out.bin", data, "application/octet-stream");
        Assert.Equal(data, await Store.GetAsync("jobs/j1/out.bin"));
    }

    [Fact]
    public async Task Every_byte_value_round_trips_unchanged()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).Reverse().ToArray();
        await Store.PutAsync("all-bytes.bin", data, "application/octet-stream");
        Assert.Equal(data, await Store.GetAsync("all-bytes.bin"));
    }

    [Fact]
    public async Task Putting_an_existing_name_replaces_its_bytes_entirely()
    {
        await Store.PutAsync("jobs/j1/00000.png", Bytes(10_000, 1), "image/png");
        var shorter = Bytes(10, 2);
        await Store.PutAsync("jobs/j1/00000.png", shorter, "image/png");
        Assert.Equal(shorter, await Store.GetAsync("jobs/j1/00000.png"));
        Assert.Equal(["jobs/j1/00000.png"], await ListAll("jobs/"));
    }

    [Fact]
    public async Task Get_of_a_missing_name_returns_null()
    {
        Assert.Null(await Store.GetAsync("jobs/none/00000.png"));
        await Store.PutAsync("jobs/j1/00000.png", Bytes(3, 3), "image/png");
        Assert.Null(await Store.GetAsync("jobs/j1/00001.png"));
        Assert.Null(await Store.GetAsync("jobs/j1")); // a prefix of an existing name is not a name
    }

    [Fact]
    public async Task Exists_is_true_only_between_put_and_delete()
    {
        Assert.False(await Store.ExistsAsync("a/b.bin"));
        await Store.PutAsync("a/b.bin", Bytes(5, 4), "application/octet-stream");
        Assert.True(await Store.ExistsAsync("a/b.bin"));
        Assert.False(await Store.ExistsAsync("a"));
        await Store.DeleteAsync("a/b.bin");
        Assert.False(await Store.ExistsAsync("a/b.bin"));
    }

    [Fact]
    public async Task Delete_removes_the_name_and_reports_whether_it_existed()
    {
        await Store.PutAsync("jobs/j1/manifest.json", "{}"u8.ToArray(), "application/json");
        await Store.PutAsync("jobs/j1/00000.png", Bytes(7, 5), "image/png");
        Assert.True(await Store.DeleteAsync("jobs/j1/manifest.json"));
        Assert.False(await Store.DeleteAsync("jobs/j1/manifest.json"));
        Assert.False(await Store.DeleteAsync("never/written.bin"));
        Assert.Null(await Store.GetAsync("jobs/j1/manifest.json"));
        Assert.Equal(["jobs/j1/00000.png"], await ListAll(""));
    }

    [Fact]
    public async Task List_returns_only_names_with_the_prefix_in_ordinal_order()
    {
        string[] names = ["a/b", "a/B", "a/a/z", "a-b", "ab", "a/b0", "b/a", "A/a", "a/_", "a/~"];
        foreach (var name in names) await Store.PutAsync(name, Bytes(1, 6), "application/octet-stream");

        // Ordinal: 'A' < 'B' < '_' < 'a' < 'b' < '~', and '-' (0x2D) < '/' (0x2F).
        Assert.Equal(["a/B", "a/_", "a/a/z", "a/b", "a/b0", "a/~"], await ListAll("a/"));
        Assert.Equal(["a-b", "a/B", "a/_", "a/a/z", "a/b", "a/b0", "a/~", "ab"], await ListAll("a"));
        Assert.Equal(["a/b", "a/b0"], await ListAll("a/b"));
        Assert.Equal(names.Order(StringComparer.Ordinal), await ListAll(""));
    }

    [Fact]
    public async Task List_order_is_ordinal_by_utf16_code_units_even_beyond_the_basic_plane()
    {
        // U+1F642 is the surrogate pair D83D DE42, so it sorts before U+FF01 in UTF-16 although its UTF-8 bytes sort after.
        string[] names = ["u/\uFF01", "u/\U0001F642", "u/z"];
        foreach (var name in names) await Store.PutAsync(name, Bytes(1, 13), "application/octet-stream");
        Assert.Equal(["u/z", "u/\U0001F642", "u/\uFF01"], await ListAll("u/"));
    }

    [Fact]
    public async Task List_includes_nested_names_with_slash_separators()
    {
        string[] names = ["jobs/j1/shards/00001.safetensors", "jobs/j1/manifest.json", "jobs/j1/images/x/y/00000.png"];
        foreach (var name in names) await Store.PutAsync(name, Bytes(2, 7), "application/octet-stream");
        Assert.Equal(["jobs/j1/images/x/y/00000.png", "jobs/j1/manifest.json", "jobs/j1/shards/00001.safetensors"],
                     await ListAll("jobs/j1/"));
        Assert.Equal(["jobs/j1/images/x/y/00000.png"], await ListAll("jobs/j1/images/"));
    }

    [Fact]
    public async Task List_of_a_prefix_nothing_starts_with_is_empty()
    {
        Assert.Empty(await ListAll(""));
        Assert.Empty(await ListAll("jobs/"));
        await Store.PutAsync("jobs/j1/00000.png", Bytes(1, 8), "image/png");
        Assert.Empty(await ListAll("jobs/j2/"));
        Assert.Empty(await ListAll("jobs/j1/00000.png/"));
        Assert.Empty(await ListAll("other"));
    }

    [Fact]
    public async Task Names_with_spaces_and_non_ascii_characters_round_trip_and_list_verbatim()
    {
        const string name = "jobs/x y/ü+%é 🙂.png";
        var data = Bytes(33, 9);
        await Store.PutAsync(name, data, "image/png");
        Assert.Equal(data, await Store.GetAsync(name));
        Assert.True(await Store.ExistsAsync(name));
        Assert.Equal([name], await ListAll("jobs/x y/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute.png")]
    [InlineData("../escape.png")]
    [InlineData("jobs/../../escape.png")]
    [InlineData("jobs/./a.png")]
    [InlineData("jobs//a.png")]
    [InlineData("jobs/")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("jobs\\a.png")]
    [InlineData("jobs/a\u0001.png")]
    public async Task Invalid_names_are_rejected_by_every_operation_with_a_message_naming_them(string name)
    {
        var expected = name.Length == 0 ? "empty" : $"'{name}'";
        foreach (var operation in NameOperations(name))
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(operation);
            Assert.Contains(expected, error.Message);
        }
        Assert.Empty(await ListAll(""));
    }

    [Fact]
    public async Task A_name_longer_than_the_limit_is_rejected()
    {
        var name = "jobs/" + new string('x', StoreNames.MaxLength);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(name, Bytes(1, 10), "image/png"));
        Assert.Contains(name[..40], error.Message);
        Assert.Contains(StoreNames.MaxLength.ToString(), error.Message);
    }

    [Theory]
    [InlineData("/jobs")]
    [InlineData("jobs//a")]
    [InlineData("../jobs/")]
    [InlineData("jobs/../")]
    [InlineData("jobs\\")]
    public async Task Invalid_list_prefixes_are_rejected_with_a_message_naming_them(string prefix)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ListAll(prefix));
        Assert.Contains($"'{prefix}'", error.Message);
    }

    [Fact]
    public async Task Concurrent_puts_of_different_names_all_land()
    {
        const int count = 32;
        var items = Enumerable.Range(0, count).Select(i => (Name: $"par/{i:D2}.bin", Data: Bytes(1000 + 37 * i, 100 + i))).ToArray();
        await Task.WhenAll(items.Select(item => Task.Run(() => Store.PutAsync(item.Name, item.Data, "application/octet-stream"))));
        foreach (var (name, data) in items)
            Assert.Equal(data, await Store.GetAsync(name));
        Assert.Equal(items.Select(i => i.Name), await ListAll("par/"));
    }

    [Fact]
    public async Task Readers_never_see_a_partly_written_object()
    {
        var first = Filled(4 << 20, 0xA1);
        var second = Filled(3_000_000, 0xB2);
        await Store.PutAsync("race.bin", first, "application/octet-stream");
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            try
            {
                // Keep overwriting for a while: a non-atomic writer exposes a short or empty file only briefly.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < 8 || clock.Elapsed < TimeSpan.FromSeconds(1); i++)
                    await Store.PutAsync("race.bin", i % 2 == 0 ? second : first, "application/octet-stream");
            }
            finally { writing.Cancel(); }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!writing.IsCancellationRequested || reads == 0)
            {
                var seen = await Store.GetAsync("race.bin");
                Assert.NotNull(seen);
                Assert.True(seen.AsSpan().SequenceEqual(first) || seen.AsSpan().SequenceEqual(second),
                            $"read {seen.Length} bytes that are neither version");
                reads++;
            }
            return reads;
        })).ToArray();
        await writer;
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));
    }

    [Fact]
    public async Task A_put_with_a_cancelled_token_throws_and_stores_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.PutAsync("jobs/j1/cancelled.png", Bytes(100, 11), "image/png", cancelled.Token));
        Assert.False(await Store.ExistsAsync("jobs/j1/cancelled.png"));
        Assert.Empty(await ListAll(""));
    }

    [Fact]
    public void Describe_names_the_kind_of_store()
    {
        Assert.StartsWith(DescribePrefix, Store.Describe);
    }

    /// <summary>Every name in the store that starts with <paramref name="prefix"/>, in the order listed.</summary>
    protected async Task<List<string>> ListAll(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Store.ListAsync(prefix)) names.Add(name);
        return names;
    }

    /// <summary>Deterministic pseudo-random bytes.</summary>
    protected static byte[] Bytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    static byte[] Filled(int size, byte value)
    {
        var data = new byte[size];
        Array.Fill(data, value);
        return data;
    }

    IEnumerable<Func<Task>> NameOperations(string name) =>
    [
        () => Store.PutAsync(name, Bytes(4, 12), "image/png"),
        () => Store.GetAsync(name),
        () => Store.ExistsAsync(name),
        () => Store.DeleteAsync(name),
    ];
}
