using System.CommandLine;
using RAE.Grid.Models.Bundles;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Options shared by the commands, and where the default bundle lives.</summary>
internal static class CommonOptions
{
    /// <summary>The bundle shipped in the repository (bundles/tiny/bundle.json), found from the working directory or the executable.</summary>
    public static string DefaultBundlePath()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bundles", "tiny", "bundle.json");
                if (File.Exists(candidate)) return candidate;
            }
        return Path.Combine("bundles", "tiny", "bundle.json");
    }

    public static Option<string> Bundle() => new("--bundle")
    {
        Description = "Model bundle JSON (default: the repository's bundles/tiny/bundle.json)",
        DefaultValueFactory = _ => DefaultBundlePath(),
    };

    public static Option<string> Out(string fallback) => new("--out")
    {
        Description = "Folder the outputs are written to",
        DefaultValueFactory = _ => fallback,
    };

    public static Option<string?> Device() => new("--device") { Description = "Override the bundle's device: cpu, cuda, cuda:N" };
    public static Option<string?> DType() => new("--dtype") { Description = "Override the bundle's dtype: fp32, bf16" };

    /// <summary>Loads the bundle with optional device/dtype overrides, and says loudly when its weights are random.</summary>
    public static RaeModel LoadModel(string bundlePath, string? device, string? dtype)
    {
        var bundle = RaeBundle.Load(bundlePath);
        if (device is not null || dtype is not null)
            bundle = bundle with { Compute = bundle.Compute with { Device = device ?? bundle.Compute.Device, DType = dtype ?? bundle.Compute.DType } };
        var problems = bundle.Compute.Validate("command line");
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        AnsiConsole.MarkupLineInterpolated($"[grey]bundle[/] {bundle.Name} ({bundlePath}) on {bundle.Compute.Device}/{bundle.Compute.DType}");
        if (bundle.RandomWeights) AnsiConsole.MarkupLine(RandomWeightsNotice);
        return RaeModel.Load(bundle);
    }

    public const string RandomWeightsNotice =
        "[yellow]NOTE: this bundle's weights are randomly initialised: its images are noise-like, not real samples.[/]";
}
