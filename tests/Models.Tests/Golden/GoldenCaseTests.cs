using System.Reflection;
using RAE.Grid.Models.Checkpoints;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden;

/// <summary>
/// Discovers every case folder under the golden directory (any folder with a <c>config.json</c>, at any depth) and checks each of its <c>out.*</c> tensors against the
/// C# models: <c>max|ours − ref| ≤ rtol · max|ref|</c>. Each folder is its own test row.
/// </summary>
public class GoldenCaseTests(ITestOutputHelper output)
{
    static readonly Dictionary<string, IGoldenCaseRunner> Runners = typeof(GoldenCaseTests).Assembly.GetTypes()
        .Where(t => typeof(IGoldenCaseRunner).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .Select(t => (IGoldenCaseRunner)Activator.CreateInstance(t)!)
        .ToDictionary(r => r.Case);

    public static IEnumerable<object[]> CaseFolders()
    {
        var root = GoldenCase.Root;
        if (!Directory.Exists(root))
            return [["<golden directory not found: " + root + ">"]];
        // Every folder with a config.json, at any depth (the text-to-image cases sit in t2i/), named by its relative path.
        return Directory.GetDirectories(root, "*", SearchOption.AllDirectories)
            .Where(d => System.IO.File.Exists(System.IO.Path.Combine(d, "config.json")))
            .Select(d => new object[] { System.IO.Path.GetRelativePath(root, d).Replace('\\', '/') }).OrderBy(o => (string)o[0], StringComparer.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CaseFolders))]
    public void Golden_case_matches_the_official_reference(string folder)
    {
        var dir = System.IO.Path.Combine(GoldenCase.Root, folder);
        Assert.True(Directory.Exists(dir), $"golden case folder missing: {dir}");
        var c = new GoldenCase(dir);
        Assert.True(Runners.TryGetValue(c.Name, out var runner), $"no runner for golden case '{c.Name}' ({dir})");
        using var scope = NewDisposeScope();
        var comparisons = runner!.Run(c).ToList();

        // Coverage: every out.* tensor of every io*.safetensors must be compared.
        var required = new List<string>();
        foreach (var io in Directory.GetFiles(dir, "io*.safetensors"))
        {
            using var f = SafeTensorsFile.Open(io);
            var stem = System.IO.Path.GetFileNameWithoutExtension(io);
            required.AddRange(f.Keys.Where(k => k.StartsWith("out.")).Select(k => $"{stem}:{k}"));
        }
        var labels = comparisons.Select(x => x.Label).ToHashSet();
        var uncovered = required.Where(r => !labels.Contains(r)).ToList();

        var failures = new List<string>();
        output.WriteLine($"{"case",-16} {"output",-44} {"max abs err",12} {"rel err",12} {"rtol",8}");
        foreach (var cmp in comparisons)
        {
            var ours = cmp.Ours.detach().cpu().to(ScalarType.Float64);
            var reference = cmp.Reference.detach().cpu().to(ScalarType.Float64);
            if (!ours.shape.SequenceEqual(reference.shape))
            {
                failures.Add($"{cmp.Label}: shape [{string.Join(",", ours.shape)}] vs reference [{string.Join(",", reference.shape)}]");
                continue;
            }
            var maxAbs = ours.numel() == 0 ? 0 : (ours - reference).abs().max().item<double>();
            var maxRef = reference.numel() == 0 ? 0 : reference.abs().max().item<double>();
            var rel = maxRef > 0 ? maxAbs / maxRef : maxAbs;
            var ok = cmp.RelTol == 0 ? maxAbs == 0 && !ours.isnan().any().item<bool>() : rel <= cmp.RelTol && !double.IsNaN(rel);
            output.WriteLine($"{c.Name,-16} {cmp.Label,-44} {maxAbs,12:E2} {rel,12:E2} {(cmp.RelTol == 0 ? "exact" : cmp.RelTol.ToString("0e0")),8}{(ok ? "" : "  FAIL")}");
            Console.WriteLine($"GOLDEN {c.Name} {cmp.Label} maxabs={maxAbs:E2} rel={rel:E2} rtol={cmp.RelTol:0e0} {(ok ? "ok" : "FAIL")}");
            if (!ok) failures.Add($"{cmp.Label}: max abs {maxAbs:E3}, relative {rel:E3} > {cmp.RelTol:E1}");
        }
        if (uncovered.Count > 0) failures.Add($"outputs not computed: {string.Join(", ", uncovered)}");
        Assert.True(failures.Count == 0, $"golden case '{c.Name}' failed:\n" + string.Join("\n", failures));
    }
}
