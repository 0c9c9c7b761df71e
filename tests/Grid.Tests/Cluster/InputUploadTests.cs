using System.Security.Cryptography;
using System.Text;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>
/// Inputs that stream: <see cref="InputUploader"/> and <see cref="IInputWriterGrain"/> on an in-process silo whose
/// store is a local folder (read directly to check what landed).
/// </summary>
[Collection(StoreOnlyCluster.Name)]
public sealed class InputUploadTests(StoreOnlyClusterFixture fixture) : IDisposable
{
    readonly GridTestCluster _grid = fixture.Grid;
    readonly string _dir = Directory.CreateTempSubdirectory("rae-upload-").FullName;

    LocalDirectoryStore Store => _grid.Folders.Store;
    IInputWriterGrain Writer => _grid.Client.GetGrain<IInputWriterGrain>(0);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Uploading_a_folder_stores_each_image_under_its_sha256_and_a_list_of_them_in_name_order()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "photos")).FullName;
        var files = new Dictionary<string, byte[]>
        {
            ["b.png"] = Bytes(3000, 1), ["a.PNG"] = Bytes(10, 2), ["c.jpg"] = Bytes(5000, 3),
            ["same-as-b.png"] = Bytes(3000, 1), ["empty.bmp"] = [],
        };
        foreach (var (name, data) in files) await File.WriteAllBytesAsync(Path.Combine(folder, name), data);
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not an image");

        var result = await Upload(folder);

        Assert.Empty(result.Problems);
        Assert.Equal(5, result.Files);
        Assert.Equal(4, result.Uploaded);   // same-as-b.png has b.png's content
        Assert.Equal(1, result.Skipped);
        string[] order = ["a.PNG", "b.png", "c.jpg", "empty.bmp", "same-as-b.png"];
        var expectedLines = order.Select(n => InputList.Line(n, Content(files[n], Path.GetExtension(n)))).ToArray();
        foreach (var (name, data) in files)
            Assert.Equal(data, await Store.GetAsync(Content(data, Path.GetExtension(name))));
        Assert.True(await Store.ExistsAsync(UploadNames.ContentPrefix + Hex(files["a.PNG"]) + ".png"), "the extension is lowercased");

        var list = await Store.GetAsync(result.ListName!);
        Assert.NotNull(list);
        Assert.Equal(UploadNames.List(Hex(list)), result.ListName);
        Assert.Equal(string.Concat(expectedLines.Select(l => l + "\n")), Encoding.UTF8.GetString(list));
        Assert.Equal(files.Values.Distinct(new BytesComparer()).Sum(d => (long)d.Length) + list.Length, result.BytesSent);
        var parsed = Encoding.UTF8.GetString(list).TrimEnd('\n').Split('\n').Select((l, i) => InputList.Parse(l, result.ListName!, i + 1)).ToArray();
        Assert.Equal(order, parsed.Select(p => p.Name));
    }

    [Fact]
    public async Task A_second_upload_of_the_same_folder_sends_nothing_and_names_the_same_list()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "again")).FullName;
        for (var i = 0; i < 6; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"img-{i}.png"), Bytes(2000 + i, 100 + i));

        var first = await Upload(folder);
        Assert.Equal(6, first.Uploaded);
        var reports = new List<UploadProgress>();
        var second = await Upload(folder, new SyncProgress(reports.Add));

        Assert.Empty(second.Problems);
        Assert.Equal(first.ListName, second.ListName);
        Assert.Equal((6, 0, 6, 0L), (second.Files, second.Uploaded, second.Skipped, second.BytesSent));
        Assert.Equal(new UploadProgress(6, 6, first.BytesSent - (await Store.LengthAsync(first.ListName!))!.Value,
                                        reports[^1].BytesTotal, 0), reports[^1]);
        Assert.Equal(reports[^1].BytesTotal, reports[^1].BytesDone);
    }

    [Fact]
    public async Task An_interrupted_upload_is_resumed_by_sending_only_the_missing_files()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "resume")).FullName;
        var data = Enumerable.Range(0, 4).Select(i => Bytes(1500 + i, 200 + i)).ToArray();
        for (var i = 0; i < data.Length; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"r-{i}.png"), data[i]);
        // As if an earlier run stored two of them before it stopped.
        await Writer.Put(Content(data[1], ".png"), data[1], "image/png");
        await Writer.Put(Content(data[3], ".png"), data[3], "image/png");

        var result = await Upload(folder);

        Assert.Equal((4, 2, 2), (result.Files, result.Uploaded, result.Skipped));
        var list = (await Store.GetAsync(result.ListName!))!;
        Assert.Equal(data[0].Length + data[2].Length + list.Length, result.BytesSent);
    }

    [Fact]
    public async Task A_file_larger_than_a_chunk_goes_in_chunks_and_round_trips_byte_identical()
    {
        var big = Bytes(2 * IInputWriterGrain.ChunkBytes + 12_345, 7);
        var path = Path.Combine(_dir, "big.png");
        await File.WriteAllBytesAsync(path, big);
        var reports = new List<UploadProgress>();

        var result = await Upload(path, new SyncProgress(reports.Add));

        Assert.Empty(result.Problems);
        Assert.Equal(1, result.Uploaded);
        var name = Content(big, ".png");
        // Read back through the grid in ranged chunks, as `rae-grid fetch` does.
        var reader = _grid.Client.GetGrain<IOutputReaderGrain>(0);
        Assert.Equal(big.Length, await reader.Length(name));
        var back = new MemoryStream();
        for (long offset = 0; offset < big.Length;)
        {
            var chunk = (await reader.ReadChunk(name, offset, 3_000_000))!;
            back.Write(chunk);
            offset += chunk.Length;
        }
        Assert.Equal(big, back.ToArray());
        // The bytes went in chunks (a whole put of this size is refused, see below) and the progress followed them.
        Assert.True(reports.Count(r => r.FilesDone == 0 && r.BytesSent > 0) >= 3, "a report per chunk sent");
        Assert.Equal((1, 1, (long)big.Length, (long)big.Length), (reports[^1].FilesDone, reports[^1].FilesTotal, reports[^1].BytesDone, reports[^1].BytesTotal));
    }

    [Fact]
    public async Task A_chunked_upload_whose_bytes_do_not_match_its_name_is_refused_naming_it_and_not_kept()
    {
        var data = Bytes(IInputWriterGrain.ChunkBytes + 100, 8);
        var name = Content(data, ".png");
        var corrupted = data[IInputWriterGrain.ChunkBytes..].ToArray();
        corrupted[7] ^= 0x40;
        await Writer.PutChunk(name, "bad-1", 0, data[..IInputWriterGrain.ChunkBytes]);
        await Writer.PutChunk(name, "bad-1", 1, corrupted);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Writer.Commit(name, "bad-1", 2, Hex(data), "image/png"));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.False(await Store.ExistsAsync(name));
        // Sending the bad chunk again, right this time, completes the upload.
        await Writer.PutChunk(name, "bad-1", 0, data[..IInputWriterGrain.ChunkBytes]);
        await Writer.PutChunk(name, "bad-1", 1, data[IInputWriterGrain.ChunkBytes..]);
        await Writer.Commit(name, "bad-1", 2, Hex(data), "image/png");
        Assert.Equal(data, await Store.GetAsync(name));
    }

    [Fact]
    public async Task A_put_whose_bytes_do_not_match_its_name_is_refused_naming_it()
    {
        var data = Bytes(500, 9);
        var name = Content(data, ".png");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Writer.Put(name, Bytes(500, 10), "image/png"));
        Assert.Contains($"'{name}'", error.Message);
        Assert.False(await Store.ExistsAsync(name));
    }

    [Fact]
    public async Task A_commit_with_a_missing_chunk_names_it()
    {
        var data = Bytes(100, 11);
        var name = Content(data, "");
        await Writer.PutChunk(name, "gap", 1, data);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Writer.Commit(name, "gap", 2, Hex(data), "image/png"));
        Assert.Contains("block 0", error.Message);
        Assert.Contains($"'{name}'", error.Message);
    }

    [Theory]
    [InlineData("jobs/j1/00000.png")]
    [InlineData("uploads/photo.png")]
    [InlineData("uploads/sha256/abc.png")]
    [InlineData("uploads/sha256/ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789.png")]
    [InlineData("uploads/lists/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.txt")]
    [InlineData("other/uploads/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public async Task Names_other_than_upload_names_are_refused_by_every_write_naming_them(string name)
    {
        var data = Bytes(10, 12);
        foreach (var write in new Func<Task>[]
                 {
                     () => Writer.Put(name, data, "image/png"),
                     () => Writer.PutChunk(name, "u1", 0, data),
                     () => Writer.Commit(name, "u1", 1, Hex(data), "image/png"),
                 })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(write);
            Assert.Contains($"'{name}'", error.Message);
        }
        Assert.False(await Store.ExistsAsync(name));
    }

    [Fact]
    public async Task A_put_or_chunk_larger_than_the_chunk_limit_is_refused_naming_the_limit()
    {
        var data = Bytes(IInputWriterGrain.ChunkBytes + 1, 13);
        var put = await Assert.ThrowsAsync<ArgumentException>(() => Writer.Put(Content(data, ".png"), data, "image/png"));
        Assert.Contains("ChunkBytes", put.Message);
        var chunk = await Assert.ThrowsAsync<ArgumentException>(() => Writer.PutChunk(Content(data, ".png"), "u2", 0, data));
        Assert.Contains("ChunkBytes", chunk.Message);
    }

    [Fact]
    public async Task Exists_answers_per_name_and_refuses_more_names_than_the_batch_limit()
    {
        var data = Bytes(20, 14);
        await Writer.Put(Content(data, ".png"), data, "image/png");
        var found = await Writer.Exists([Content(data, ".png"), Content(Bytes(20, 15), ".png")]);
        Assert.Equal([true, false], found);
        var names = Enumerable.Range(0, IInputWriterGrain.MaxExistsBatch + 1).Select(i => $"uploads/x{i}").ToArray();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Writer.Exists(names));
        Assert.Contains("MaxExistsBatch", error.Message);
    }

    [Fact]
    public async Task Missing_paths_and_oversized_files_are_problems_naming_each_and_the_rest_is_uploaded()
    {
        var good = Path.Combine(_dir, "good.png");
        await File.WriteAllBytesAsync(good, Bytes(100, 16));
        var huge = Path.Combine(_dir, "huge.png");
        await using (var f = File.Create(huge)) f.SetLength(InputUploader.MaxImageBytes + 1); // sparse: no disk used
        var missing = Path.Combine(_dir, "nowhere");

        var result = await Upload(missing, huge, good);

        Assert.Equal(2, result.Problems.Count);
        Assert.Contains(result.Problems, p => p.Contains(missing) && p.Contains("no such file"));
        Assert.Contains(result.Problems, p => p.Contains(huge) && p.Contains("MaxImageBytes"));
        Assert.Equal((1, 1), (result.Files, result.Uploaded));
        var list = Encoding.UTF8.GetString((await Store.GetAsync(result.ListName!))!);
        Assert.Equal(InputList.Line("good.png", Content(Bytes(100, 16), ".png")) + "\n", list);
    }

    [Fact]
    public async Task Nothing_to_upload_gives_no_list()
    {
        var result = await Upload(Path.Combine(_dir, "nothing-here"));
        Assert.Null(result.ListName);
        Assert.Equal(0, result.Files);
        Assert.Single(result.Problems);
    }

    [Fact]
    public async Task Many_files_go_in_several_existence_batches_and_a_list_larger_than_a_chunk_is_sent_in_chunks()
    {
        // 1,100 files (two Exists batches) with long names make a list of about 300 KB, over the 64 KiB chunks chosen here.
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "many")).FullName;
        var longName = new string('n', 200);
        for (var i = 0; i < 1100; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"{i:D4}-{longName}.png"), Bytes(8, 1000 + i));

        var result = await new InputUploader(_grid.Client) { Concurrency = 8, ChunkBytes = 64 * 1024 }.UploadImagesAsync([folder]);

        Assert.Empty(result.Problems);
        Assert.Equal((1100, 1100), (result.Files, result.Uploaded));
        var list = (await Store.GetAsync(result.ListName!))!;
        Assert.True(list.Length > 4 * 64 * 1024, $"list of {list.Length} bytes");
        Assert.Equal(UploadNames.List(Hex(list)), result.ListName);
        var lines = Encoding.UTF8.GetString(list).TrimEnd('\n').Split('\n');
        Assert.Equal(1100, lines.Length);
        Assert.Equal(InputList.Line($"1099-{longName}.png", Content(Bytes(8, 2099), ".png")), lines[^1]);
    }

    [Fact]
    public void The_upload_and_download_grains_keep_their_grain_type_ids_wherever_their_classes_live()
    {
        // Orleans names a grain type after its class (less "Grain"), not its namespace: the grains moved from
        // Grains/Jobs to Grains/Storage without changing the ids a running cluster or a client knows them by.
        Assert.Equal("inputwriter", Writer.GetGrainId().Type.ToString());
        Assert.Equal("outputreader", _grid.Client.GetGrain<IOutputReaderGrain>(0).GetGrainId().Type.ToString());
    }

    Task<UploadResult> Upload(params string[] paths) => new InputUploader(_grid.Client).UploadImagesAsync(paths);

    Task<UploadResult> Upload(string path, IProgress<UploadProgress> progress) =>
        new InputUploader(_grid.Client).UploadImagesAsync([path], progress);

    static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    static string Content(byte[] data, string extension) => UploadNames.Content(Hex(data), extension);

    static byte[] Bytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
