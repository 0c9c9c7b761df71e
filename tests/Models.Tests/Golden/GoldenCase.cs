using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden;

/// <summary>One case folder of the golden directory: its config and lazy access to its tensor files.</summary>
public sealed class GoldenCase
{
    public GoldenCase(string dir)
    {
        Dir = dir;
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(dir, "config.json")));
        Config = doc.RootElement.Clone();
        Name = Config.TryGetProperty("case", out var c) ? c.GetString()! : System.IO.Path.GetFileName(dir);
    }

    /// <summary>The golden directory: RAE_GOLDEN_DIR, else ../shared/golden beside the repository.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("RAE_GOLDEN_DIR") is { Length: > 0 } d ? d : FindDefaultRoot();

    private static string FindDefaultRoot()
    {
        // Walk up from the test binary to the repository root, then to ../shared/golden.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RAE.Grid.sln")))
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "golden"));
        return System.IO.Path.GetFullPath("../shared/golden");
    }

    /// <summary>The case in folder <paramref name="relative"/> of the golden directory (e.g. <c>t2i/qwen2_lm</c>).</summary>
    public static GoldenCase At(string relative) => new(System.IO.Path.Combine(Root, relative));

    public string Dir { get; }
    public string Name { get; }
    public JsonElement Config { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Dir, name);

    /// <summary>Reads every tensor of a file in this case folder (or a relative path such as ../ditdh/x).</summary>
    public Dictionary<string, Tensor> Read(string fileName) => SafeTensorsFile.ReadAll(PathOf(fileName));

    /// <summary>Integer from the config, e.g. Int("batch").</summary>
    public JsonElement this[string key] => Config.GetProperty(key);
}

/// <summary>One compared tensor: our result against the reference, with its tolerance (0 = bit-exact).</summary>
public sealed record GoldenComparison(string Label, Tensor Ours, Tensor Reference, double RelTol);

/// <summary>Computes a golden case with the C# models. One runner per <c>case</c> name.</summary>
public interface IGoldenCaseRunner
{
    /// <summary>The <c>case</c> value of config.json this runner handles.</summary>
    string Case { get; }

    /// <summary>
    /// Runs the case and returns the comparisons. Every <c>out.*</c> tensor of every <c>io*.safetensors</c>
    /// in the folder must be covered by a comparison labelled "&lt;file stem&gt;:&lt;tensor name&gt;" (e.g.
    /// "io_512:out.image_stats"); the harness fails the case if one is not.
    /// </summary>
    IEnumerable<GoldenComparison> Run(GoldenCase c);
}
