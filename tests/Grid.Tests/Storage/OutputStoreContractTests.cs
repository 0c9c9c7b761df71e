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
    public async Task A_conditional_create_writes_once_and_never_replaces_what_is_stored()
    {
        Assert.True(await Store.PutIfAbsentAsync("jobs/j1/once.png", Bytes(100, 1), "image/png"));
        Assert.False(await Store.PutIfAbsentAsync("jobs/j1/once.png", Bytes(200, 2), "image/png"));
        Assert.Equal(Bytes(100, 1), await Store.GetAsync("jobs/j1/once.png"));
        // Of several racing creators exactly one wins, and the stored object is whole.
        var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(k => Store.PutIfAbsentAsync("jobs/j1/raced.png", Bytes(5000, 10 + k), "image/png")));
        Assert.Single(wins, w => w);
        Assert.Equal(Bytes(5000, 10 + Array.IndexOf(wins, true)), await Store.GetAsync("jobs/j1/raced.png"));
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
    public async Task Length_is_the_stored_size_or_null_when_absent()
    {
        Assert.Null(await Store.LengthAsync("jobs/j1/none.bin"));
        await Store.PutAsync("jobs/j1/a.bin", Bytes(12_345, 14), "application/octet-stream");
        await Store.PutAsync("jobs/j1/empty.bin", Array.Empty<byte>(), "application/octet-stream");
        Assert.Equal(12_345, await Store.LengthAsync("jobs/j1/a.bin"));
        Assert.Equal(0, await Store.LengthAsync("jobs/j1/empty.bin"));
        Assert.Null(await Store.LengthAsync("jobs/j1")); // a prefix of an existing name is not a name
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1000, 4096)]
    [InlineData(9_990, 10)]
    [InlineData(9_990, 1000)]   // crosses the end: the bytes up to the end
    [InlineData(0, 20_000)]     // longer than the object: all of it
    [InlineData(10_000, 5)]     // at the end: nothing
    [InlineData(500, 0)]        // empty range
    public async Task A_range_read_returns_the_bytes_of_the_range_and_fewer_at_the_end(long offset, int count)
    {
        var data = Bytes(10_000, 15);
        await Store.PutAsync("ranges/a.bin", data, "application/octet-stream");
        var expected = data.AsSpan((int)offset, (int)Math.Min(count, data.Length - offset)).ToArray();
        Assert.Equal(expected, await Store.GetRangeAsync("ranges/a.bin", offset, count));
    }

    [Fact]
    public async Task A_range_read_of_an_empty_object_at_offset_zero_is_empty()
    {
        await Store.PutAsync("ranges/empty.bin", Array.Empty<byte>(), "application/octet-stream");
        Assert.Equal(Array.Empty<byte>(), await Store.GetRangeAsync("ranges/empty.bin", 0, 10));
    }

    [Fact]
    public async Task A_range_read_of_a_missing_name_returns_null()
    {
        Assert.Null(await Store.GetRangeAsync("ranges/none.bin", 0, 10));
        Assert.Null(await Store.GetRangeAsync("ranges/none.bin", 0, 0));
    }

    [Theory]
    [InlineData(101, 1)]
    [InlineData(5000, 10)]
    [InlineData(101, 0)]
    [InlineData(-1, 10)]
    public async Task A_range_starting_outside_the_object_is_refused_naming_the_name_and_offset(long offset, int count)
    {
        await Store.PutAsync("ranges/small.bin", Bytes(100, 16), "application/octet-stream");
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("ranges/small.bin", offset, count));
        Assert.Contains("'ranges/small.bin'", error.Message);
        Assert.Contains(offset.ToString(), error.Message);
    }

    [Fact]
    public async Task Open_read_streams_the_whole_object_and_returns_null_when_absent()
    {
        Assert.Null(await Store.OpenReadAsync("streams/none.bin"));
        var data = Bytes(5 * 1024 * 1024 + 17, 17);
        await Store.PutAsync("streams/big.bin", data, "application/octet-stream");
        await using var stream = await Store.OpenReadAsync("streams/big.bin");
        Assert.NotNull(stream);
        var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) copy.Write(buffer, 0, read);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Open_read_of_a_text_object_reads_line_by_line()
    {
        await Store.PutAsync("lists/l.tsv", "a\tuploads/x\nb\tuploads/y\n"u8.ToArray(), "text/tab-separated-values");
        await using var stream = await Store.OpenReadAsync("lists/l.tsv");
        using var reader = new StreamReader(stream!);
        Assert.Equal("a\tuploads/x", await reader.ReadLineAsync());
        Assert.Equal("b\tuploads/y", await reader.ReadLineAsync());
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Committed_blocks_put_out_of_order_make_their_concatenation_in_index_order()
    {
        var blocks = Enumerable.Range(0, 4).Select(i => Bytes(1000 + 311 * i, 20 + i)).ToArray();
        foreach (var i in new[] { 2, 0, 3, 1 })
            await Store.PutBlockAsync("uploads/big.bin", "up-1", i, blocks[i]);
        await Store.CommitBlocksAsync("uploads/big.bin", "up-1", 4, "application/octet-stream");
        Assert.Equal(blocks.SelectMany(b => b).ToArray(), await Store.GetAsync("uploads/big.bin"));
        Assert.Equal(["uploads/big.bin"], await ListAll(""));
    }

    [Fact]
    public async Task Putting_a_block_again_replaces_it()
    {
        await Store.PutBlockAsync("uploads/r.bin", "up_2", 0, Bytes(100, 30));
        await Store.PutBlockAsync("uploads/r.bin", "up_2", 1, Bytes(50, 31));
        var again = Bytes(70, 32);
        await Store.PutBlockAsync("uploads/r.bin", "up_2", 1, again);
        await Store.CommitBlocksAsync("uploads/r.bin", "up_2", 2, "application/octet-stream");
        Assert.Equal(Bytes(100, 30).Concat(again).ToArray(), await Store.GetAsync("uploads/r.bin"));
    }

    [Fact]
    public async Task Staged_blocks_are_invisible_until_the_commit()
    {
        await Store.PutAsync("uploads/other.bin", Bytes(3, 33), "application/octet-stream");
        await Store.PutBlockAsync("uploads/s.bin", "up3", 0, Bytes(4096, 34));
        await Store.PutBlockAsync("uploads/t/u.bin", "up3", 0, Bytes(10, 35));
        Assert.False(await Store.ExistsAsync("uploads/s.bin"));
        Assert.Null(await Store.GetAsync("uploads/s.bin"));
        Assert.Null(await Store.LengthAsync("uploads/s.bin"));
        Assert.Null(await Store.OpenReadAsync("uploads/s.bin"));
        Assert.Equal(["uploads/other.bin"], await ListAll(""));
        Assert.Equal(["uploads/other.bin"], await ListAll("uploads/"));
        Assert.Empty(await ListAll("."));

        await Store.CommitBlocksAsync("uploads/s.bin", "up3", 1, "application/octet-stream");
        Assert.Equal(4096, await Store.LengthAsync("uploads/s.bin"));
        Assert.Equal(["uploads/other.bin", "uploads/s.bin"], await ListAll(""));
    }

    [Fact]
    public async Task A_commit_replaces_an_existing_object_entirely()
    {
        await Store.PutAsync("uploads/x.bin", Bytes(10_000, 36), "application/octet-stream");
        await Store.PutBlockAsync("uploads/x.bin", "up4", 0, Bytes(7, 37));
        await Store.CommitBlocksAsync("uploads/x.bin", "up4", 1, "application/octet-stream");
        Assert.Equal(Bytes(7, 37), await Store.GetAsync("uploads/x.bin"));
    }

    [Fact]
    public async Task A_commit_with_a_missing_block_fails_naming_name_upload_and_index_and_changes_nothing()
    {
        await Store.PutAsync("uploads/m.bin", Bytes(9, 38), "application/octet-stream");
        await Store.PutBlockAsync("uploads/m.bin", "up5", 0, Bytes(10, 39));
        await Store.PutBlockAsync("uploads/m.bin", "up5", 2, Bytes(10, 40));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CommitBlocksAsync("uploads/m.bin", "up5", 3, "application/octet-stream"));
        Assert.Contains("'uploads/m.bin'", error.Message);
        Assert.Contains("'up5'", error.Message);
        Assert.Contains("block 1", error.Message);
        Assert.Equal(Bytes(9, 38), await Store.GetAsync("uploads/m.bin"));

        // Resuming: put the missing block, commit again.
        await Store.PutBlockAsync("uploads/m.bin", "up5", 1, Bytes(10, 41));
        await Store.CommitBlocksAsync("uploads/m.bin", "up5", 3, "application/octet-stream");
        Assert.Equal(Bytes(10, 39).Concat(Bytes(10, 41)).Concat(Bytes(10, 40)).ToArray(), await Store.GetAsync("uploads/m.bin"));
    }

    [Fact]
    public async Task A_commit_of_an_upload_with_no_blocks_fails_and_a_commit_consumes_the_blocks()
    {
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CommitBlocksAsync("uploads/n.bin", "never", 1, "application/octet-stream"));
        Assert.Contains("block 0", none.Message);
        Assert.False(await Store.ExistsAsync("uploads/n.bin"));

        await Store.PutBlockAsync("uploads/n.bin", "once", 0, Bytes(10, 42));
        await Store.CommitBlocksAsync("uploads/n.bin", "once", 1, "application/octet-stream");
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CommitBlocksAsync("uploads/n.bin", "once", 1, "application/octet-stream"));
        Assert.Contains("block 0", again.Message);
        Assert.Equal(Bytes(10, 42), await Store.GetAsync("uploads/n.bin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/y")]
    [InlineData("dot.dot")]
    [InlineData("ü")]
    public async Task Upload_ids_other_than_letters_digits_dash_underscore_are_refused_naming_them(string uploadId)
    {
        var put = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutBlockAsync("uploads/i.bin", uploadId, 0, Bytes(1, 43)));
        Assert.Contains($"'{uploadId}'", put.Message);
        var commit = await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitBlocksAsync("uploads/i.bin", uploadId, 1, "application/octet-stream"));
        Assert.Contains($"'{uploadId}'", commit.Message);
        Assert.Empty(await ListAll(""));
    }

    [Fact]
    public async Task An_upload_id_longer_than_the_limit_and_a_negative_index_are_refused()
    {
        var tooLong = new string('a', IOutputStore.MaxUploadIdLength + 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutBlockAsync("uploads/i.bin", tooLong, 0, Bytes(1, 44)));
        Assert.Contains(IOutputStore.MaxUploadIdLength.ToString(), error.Message);
        await Store.PutBlockAsync("uploads/i.bin", new string('a', IOutputStore.MaxUploadIdLength), 0, Bytes(1, 44));
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.PutBlockAsync("uploads/i.bin", "u", -1, Bytes(1, 45)));
        Assert.Contains("block -1", negative.Message);
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
        () => Store.LengthAsync(name),
        () => Store.GetRangeAsync(name, 0, 1),
        () => Store.OpenReadAsync(name),
        () => Store.PutBlockAsync(name, "u1", 0, Bytes(4, 12)),
        () => Store.CommitBlocksAsync(name, "u1", 1, "image/png"),
    ];
}
