using System.Security.Cryptography;
using System.Text.Json;
using RAE.Grid.Grains.Storage;
using StbImageSharp;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// Audits a finished generation job straight from the blob container, trusting nothing the grid says about itself:
/// the manifest parses, says Completed and counts truthfully; its item records list each index 0..N-1 exactly once,
/// done, each with an output of its own; every listed output is in the store, decodes, matches the record's
/// <c>sha256</c> when records carry one, and equals the undisturbed reference pixel-wise within
/// <see cref="ReferenceReconstruction.Tolerance"/> levels (batches differ between runs, so float sums may round
/// differently); and the prefix holds nothing else (outputs, records, manifest, contact sheet). The counts go into one
/// <c>FAULT</c> line; every problem is collected for the failure message.
/// </summary>
public sealed class FaultAudit(int expected)
{
    /// <summary>Items the job has (0..N-1).</summary>
    public int Expected { get; } = expected;
    /// <summary>Distinct indices whose record says Done.</summary>
    public int Done { get; private set; }
    /// <summary>Index repeats in the records, outputs named by more than one record, and extra objects under the prefix.</summary>
    public int Duplicated { get; private set; }
    /// <summary>Outputs present but not equal to the reference (or to their recorded hash, or not decodable).</summary>
    public int Mismatched { get; private set; }
    /// <summary>Indices without a readable output in the store (not done, not listed, or listed but absent).</summary>
    public int Missing { get; private set; }
    /// <summary>Outputs the job redid because its final audit found them missing or changed in the store (the manifest's count).</summary>
    public int Redone { get; private set; }
    /// <summary>Everything found wrong, one line each.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Whether the job is exactly what an undisturbed run would have left.</summary>
    public bool Clean => Problems.Count == 0;

    /// <summary>The test's one-line result.</summary>
    public string Line(string name, TimeSpan withFault, TimeSpan without) =>
        $"FAULT {name}: expected {Expected} done {Done} duplicated {Duplicated} mismatched {Mismatched} missing {Missing} redone-after-audit {Redone}; " +
        $"with fault {withFault.TotalSeconds:F1}s, without {without.TotalSeconds:F1}s";

    /// <summary>Audits the job whose outputs are under <paramref name="prefix"/> against <paramref name="reference"/> (null: no content comparison).</summary>
    public async Task RunAsync(AzureBlobStore store, string prefix, IReadOnlyDictionary<int, byte[]>? reference)
    {
        var present = new HashSet<int>();
        try { await AuditAsync(store, prefix, reference, present); }
        finally { Missing = Expected - present.Count; }
        if (Missing > 0) Problems.Add($"{Missing} of {Expected} items have no readable output in the store");
    }

    async Task AuditAsync(AzureBlobStore store, string prefix, IReadOnlyDictionary<int, byte[]>? reference, HashSet<int> present)
    {
        var manifestBytes = await store.GetAsync($"{prefix}/manifest.json");
        if (manifestBytes is null) { Problems.Add($"{prefix}/manifest.json is not in the store"); return; }
        using var manifest = JsonDocument.Parse(manifestBytes);
        var root = manifest.RootElement;
        Expect(root.GetProperty("state").GetString() == "Completed", $"manifest state is {root.GetProperty("state")}, expected Completed");
        var counts = root.GetProperty("counts");

        var allowed = new HashSet<string>(StringComparer.Ordinal) { $"{prefix}/manifest.json", $"{prefix}/contact-sheet.png" };
        var records = new List<JsonElement>();
        foreach (var file in root.GetProperty("item_files").EnumerateArray().Select(f => $"{prefix}/{f.GetString()}"))
        {
            allowed.Add(file);
            var bytes = await store.GetAsync(file);
            if (bytes is null) { Problems.Add($"item records {file} are named by the manifest but not in the store"); continue; }
            foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                records.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        var byIndex = records.GroupBy(r => r.GetProperty("index").GetInt32()).ToDictionary(g => g.Key, g => g.ToList());
        var repeats = byIndex.Values.Sum(g => g.Count - 1);
        if (repeats > 0) Problems.Add($"{repeats} index repeats in the records (e.g. item {byIndex.First(g => g.Value.Count > 1).Key})");
        var strangers = byIndex.Keys.Where(i => i < 0 || i >= Expected).ToList();
        Expect(strangers.Count == 0, $"records list indices outside 0..{Expected - 1}: {string.Join(", ", strangers.Take(10))}");
        var unlisted = Enumerable.Range(0, Expected).Where(i => !byIndex.ContainsKey(i)).ToList();
        Expect(unlisted.Count == 0, $"{unlisted.Count} items are not in the records (e.g. {string.Join(", ", unlisted.Take(10))})");

        var done = records.Where(r => r.GetProperty("phase").GetString() == "Done").ToList();
        Done = done.Select(r => r.GetProperty("index").GetInt32()).Distinct().Count();
        var notDone = records.Where(r => r.GetProperty("phase").GetString() != "Done").ToList();
        if (notDone.Count > 0)
            Problems.Add($"{notDone.Count} records are not Done, e.g. item {notDone[0].GetProperty("index")}: {notDone[0].GetProperty("phase")} " +
                         $"({(notDone[0].TryGetProperty("error", out var err) ? err.ToString() : "no error")})");
        Expect(counts.GetProperty("total").GetInt32() == Expected, $"manifest counts.total is {counts.GetProperty("total")}, expected {Expected}");
        if (counts.TryGetProperty("redone_after_audit", out var redone)) Redone = redone.GetInt32();
        Expect(counts.GetProperty("done").GetInt32() == Done, $"manifest counts.done is {counts.GetProperty("done")}, its records list {Done} done");

        var outputOwners = done.GroupBy(r => r.GetProperty("output").GetString() ?? "").ToList();
        var shared = outputOwners.Sum(g => g.Select(r => r.GetProperty("index").GetInt32()).Distinct().Count() - 1);
        if (shared > 0) Problems.Add($"{shared} outputs are named by more than one item");

        var stored = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in store.ListAsync(prefix + "/")) stored.Add(name);
        var firstMismatch = "";
        foreach (var record in done.DistinctBy(r => r.GetProperty("index").GetInt32()))
        {
            var index = record.GetProperty("index").GetInt32();
            var output = record.GetProperty("output").GetString() ?? "";
            allowed.Add(output);
            var bytes = await store.GetAsync(output);
            if (bytes is null) continue; // missing: counted from `present`
            present.Add(index);
            var why = Mismatch(index, bytes, record, reference);
            if (why is null) continue;
            Mismatched++;
            if (firstMismatch.Length == 0) firstMismatch = $"item {index} ({output}): {why}";
        }
        if (Mismatched > 0) Problems.Add($"{Mismatched} outputs differ from what they should be, e.g. {firstMismatch}");
        var listedAbsent = done.Select(r => r.GetProperty("output").GetString() ?? "").Where(o => !stored.Contains(o)).ToList();
        if (listedAbsent.Count > 0)
            Problems.Add($"the manifest lists {listedAbsent.Count} done outputs the store does not hold, e.g. {string.Join(", ", listedAbsent.Take(5))}");

        var extra = stored.Where(n => !allowed.Contains(n)).ToList();
        if (extra.Count > 0) Problems.Add($"{extra.Count} objects under {prefix}/ that no record names, e.g. {string.Join(", ", extra.Take(5))}");
        Duplicated = repeats + shared + extra.Count;
    }

    // Null when the output is what it should be; otherwise why not.
    static string? Mismatch(int index, byte[] png, JsonElement record, IReadOnlyDictionary<int, byte[]>? reference)
    {
        if (record.TryGetProperty("sha256", out var recorded) && recorded.GetString() is { } want)
        {
            var got = Convert.ToHexString(SHA256.HashData(png));
            if (!got.Equals(want, StringComparison.OrdinalIgnoreCase)) return $"its bytes hash to {got}, the record says {want}";
        }
        byte[] pixels;
        try { pixels = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue).Data; }
        catch (Exception e) { return $"does not decode as a PNG ({e.Message})"; }
        if (reference is null) return null;
        if (!reference.TryGetValue(index, out var expected)) return "the reference run has no output for it";
        if (expected.Length != pixels.Length) return $"{pixels.Length} bytes of pixels, the reference {expected.Length}";
        var worst = 0;
        for (var p = 0; p < pixels.Length; p++) worst = Math.Max(worst, Math.Abs(pixels[p] - expected[p]));
        return worst > ReferenceReconstruction.Tolerance
            ? $"differs from the undisturbed run by up to {worst} levels (tolerance {ReferenceReconstruction.Tolerance})" : null;
    }

    /// <summary>Decoded RGB pixels of every done output of a job, by item index (for a reference run).</summary>
    public static async Task<Dictionary<int, byte[]>> PixelsAsync(AzureBlobStore store, string prefix, int expected)
    {
        var pixels = new Dictionary<int, byte[]>();
        var manifest = await store.GetAsync($"{prefix}/manifest.json")
                       ?? throw new InvalidOperationException($"{prefix}/manifest.json is not in the store");
        using var doc = JsonDocument.Parse(manifest);
        foreach (var file in doc.RootElement.GetProperty("item_files").EnumerateArray())
        {
            var bytes = await store.GetAsync($"{prefix}/{file.GetString()}")
                        ?? throw new InvalidOperationException($"{prefix}/{file.GetString()} is not in the store");
            foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var record = JsonDocument.Parse(line);
                if (!record.RootElement.TryGetProperty("output", out var o) || o.GetString() is not { } output) continue;
                var png = await store.GetAsync(output) ?? throw new InvalidOperationException($"{output} is not in the store");
                pixels[record.RootElement.GetProperty("index").GetInt32()] = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue).Data;
            }
        }
        if (pixels.Count != expected) throw new InvalidOperationException($"the reference run left {pixels.Count} outputs, expected {expected}");
        return pixels;
    }

    void Expect(bool condition, string problem)
    {
        if (!condition) Problems.Add(problem);
    }
}
