using System.Security.Cryptography;
using System.Text.Json;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;
using StbImageSharp;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>What one item of a finished job must be: its input as the manifest names it and its output's file name.</summary>
public sealed record ExpectedItem(int Index, string Input, string OutputName);

/// <summary>
/// Checks a finished job's outputs by content, both in the folder a client fetched them into and directly in the blob
/// container: manifest.json parses and lists every item, done, with its output; every output PNG decodes at the
/// expected size, is not a flat image, and is byte-identical in both places; outputs differ from one another; the
/// contact sheet decodes at its layout's size; nothing is missing or extra. Problems are collected, not thrown, so one
/// failure message lists all of them.
/// </summary>
public sealed class JobOutputCheck(string kind, IReadOnlyList<ExpectedItem> expected, int side)
{
    public List<string> Problems { get; } = [];

    /// <summary>The job id the manifest names (after <see cref="RunAsync"/>).</summary>
    public string? JobId { get; private set; }

    public async Task RunAsync(string fetchedDir, AzureBlobStore store)
    {
        var manifestPath = Path.Combine(fetchedDir, "manifest.json");
        if (!File.Exists(manifestPath)) { Problems.Add($"no manifest.json in the fetched folder {fetchedDir}"); return; }
        var manifestBytes = await File.ReadAllBytesAsync(manifestPath);
        using var manifest = ParseManifest(manifestBytes);
        if (manifest is null) return;
        var root = manifest.RootElement;
        JobId = root.GetProperty("job").GetString();
        var prefix = root.GetProperty("output_prefix").GetString() ?? "";
        Expect(root.GetProperty("kind").GetString() == kind, $"manifest kind is {root.GetProperty("kind")}, expected {kind}");
        Expect(root.GetProperty("state").GetString() == "Completed", $"manifest state is {root.GetProperty("state")}, expected Completed");
        var counts = root.GetProperty("counts");
        foreach (var (field, want) in new[] { ("total", expected.Count), ("done", expected.Count), ("failed", 0), ("cancelled", 0) })
            Expect(counts.GetProperty(field).GetInt32() == want, $"manifest counts.{field} is {counts.GetProperty(field)}, expected {want}");

        // What the container holds under the job's prefix.
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in store.ListAsync(prefix + "/")) stored.Add(name);
        var storedManifest = await store.GetAsync($"{prefix}/manifest.json");
        Expect(storedManifest is not null && storedManifest.AsSpan().SequenceEqual(manifestBytes),
            $"the stored {prefix}/manifest.json is {(storedManifest is null ? "missing" : "different from the fetched one")}");

        // Items come from the partitions' records the manifest names, as fetched; each must equal the stored one.
        var itemFiles = root.GetProperty("item_files").EnumerateArray().Select(f => f.GetString()!).ToList();
        foreach (var file in itemFiles)
        {
            var fetchedRecords = Path.Combine(fetchedDir, file.Replace('/', Path.DirectorySeparatorChar));
            var storedRecords = await store.GetAsync($"{prefix}/{file}");
            var fetchedBytes = File.Exists(fetchedRecords) ? await File.ReadAllBytesAsync(fetchedRecords) : null;
            Expect(fetchedBytes is not null && storedRecords is not null && storedRecords.AsSpan().SequenceEqual(fetchedBytes),
                $"item records {file}: {(File.Exists(fetchedRecords) ? "" : "not fetched; ")}{(storedRecords is null ? "not stored" : "fetched and stored bytes differ")}");
        }
        var items = await Cluster.ManifestItems.ReadAsync(root, async name =>
            await File.ReadAllBytesAsync(Path.Combine(fetchedDir, name[(prefix.Length + 1)..].Replace('/', Path.DirectorySeparatorChar))));
        Expect(items.Count == expected.Count, $"manifest lists {items.Count} items, expected {expected.Count}");
        var hashes = new Dictionary<string, int>();
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var want in expected)
        {
            var item = items.FirstOrDefault(i => i.GetProperty("index").GetInt32() == want.Index);
            if (item.ValueKind != JsonValueKind.Object) { Problems.Add($"manifest has no item {want.Index}"); continue; }
            var label = $"item {want.Index}";
            Expect(item.GetProperty("input").GetString() == want.Input, $"{label}: input is {item.GetProperty("input")}, expected '{want.Input}'");
            Expect(item.GetProperty("phase").GetString() == "Done", $"{label}: phase is {item.GetProperty("phase")}, expected Done");
            var output = item.TryGetProperty("output", out var o) ? o.GetString() : null;
            if (output != $"{prefix}/{want.OutputName}") { Problems.Add($"{label}: output is '{output}', expected '{prefix}/{want.OutputName}'"); continue; }
            outputs.Add(output);

            var fetchedPath = Path.Combine(fetchedDir, want.OutputName);
            var fetched = File.Exists(fetchedPath) ? await File.ReadAllBytesAsync(fetchedPath) : null;
            var blob = await store.GetAsync(output);
            if (fetched is null) Problems.Add($"{label}: {want.OutputName} was not fetched into {fetchedDir}");
            if (blob is null) Problems.Add($"{label}: {output} is not in the blob container");
            if (fetched is null || blob is null) continue;
            Expect(fetched.AsSpan().SequenceEqual(blob), $"{label}: the fetched {want.OutputName} differs from the stored blob");
            CheckImage(label, blob, side, side);
            var hash = Convert.ToHexString(SHA256.HashData(blob));
            if (hashes.TryGetValue(hash, out var twin)) Problems.Add($"{label}: its PNG is identical to item {twin}'s");
            else hashes[hash] = want.Index;
        }

        // Contact sheet: up to MaxContactSheetItems thumbnails, 8 per row, 2-pixel gaps (JobOutputs / Models ContactSheet.Tile).
        var sheetPath = Path.Combine(fetchedDir, "contact-sheet.png");
        var shown = Math.Min(JobOutputs.MaxContactSheetItems, expected.Count);
        var columns = Math.Min(8, shown);
        var rows = (shown + columns - 1) / columns;
        var cell = JobOutputs.ThumbnailSide + 2;
        if (!File.Exists(sheetPath)) Problems.Add("contact-sheet.png was not fetched");
        else CheckImage("contact-sheet.png", await File.ReadAllBytesAsync(sheetPath), columns * cell + 2, rows * cell + 2);
        Expect(stored.Contains($"{prefix}/contact-sheet.png"), $"{prefix}/contact-sheet.png is not in the blob container");

        // Nothing missing or extra: outputs + manifest + item records + contact sheet, plus a reconstruction's plan files
        // (its inputs are uploaded under uploads/, content-addressed, not under the job's prefix).
        var plan = stored.Where(n => n.StartsWith($"{prefix}/plan/", StringComparison.Ordinal)).ToList();
        var expectedPlan = kind == "Reconstruct" ? itemFiles.Count : 0;
        Expect(plan.Count == expectedPlan, $"the container holds {plan.Count} plan files under {prefix}/plan/, expected {expectedPlan}");
        var records = itemFiles.Select(f => $"{prefix}/{f}");
        var extra = stored.Except(outputs).Except(plan).Except(records).Except([$"{prefix}/manifest.json", $"{prefix}/contact-sheet.png"]).ToList();
        Expect(extra.Count == 0, $"unexpected blobs under {prefix}/: {string.Join(", ", extra.Take(10))}");
        var missing = outputs.Where(n => !stored.Contains(n)).ToList();
        Expect(missing.Count == 0, $"outputs missing from the container listing: {string.Join(", ", missing.Take(10))}");
        var fetchedFiles = Directory.EnumerateFiles(fetchedDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fetchedDir, f).Replace(Path.DirectorySeparatorChar, '/')).ToHashSet();
        var wantFiles = expected.Select(e => e.OutputName).Concat(itemFiles).Append("manifest.json").Append("contact-sheet.png").ToHashSet();
        Expect(fetchedFiles.SetEquals(wantFiles),
            $"the fetched folder holds [{string.Join(", ", fetchedFiles.Except(wantFiles).Take(10))}] beyond and lacks " +
            $"[{string.Join(", ", wantFiles.Except(fetchedFiles).Take(10))}] of the expected files");
    }

    JsonDocument? ParseManifest(byte[] bytes)
    {
        try { return JsonDocument.Parse(bytes); }
        catch (JsonException e) { Problems.Add($"manifest.json does not parse: {e.Message}"); return null; }
    }

    void CheckImage(string label, byte[] png, int width, int height)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }))
        {
            Problems.Add($"{label}: not a PNG ({png.Length} bytes)");
            return;
        }
        ImageResult image;
        try { image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue); }
        catch (Exception e) { Problems.Add($"{label}: the PNG does not decode: {e.Message}"); return; }
        Expect(image.Width == width && image.Height == height, $"{label}: decodes at {image.Width}×{image.Height}, expected {width}×{height}");
        Expect(image.Data.Length == width * height * 3 || image.Width != width || image.Height != height,
            $"{label}: decoded {image.Data.Length} bytes of pixels for {image.Width}×{image.Height}");
        // A decoder that wrote a flat image (all zeros, a constant) is broken even if the file is valid.
        Expect(image.Data.Max() != image.Data.Min(), $"{label}: every pixel has the same value {image.Data[0]}");
    }

    void Expect(bool condition, string problem)
    {
        if (!condition) Problems.Add(problem);
    }
}
