using System.CommandLine;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Options shared by the commands.</summary>
internal static class CommonOptions
{
    /// <summary>The bundle jobs use when none is named: the trained Fashion-MNIST bundle, else the random tiny one.</summary>
    public const string TrainedBundleId = "fashion-mnist";

    /// <summary>The id of the default bundle: <see cref="TrainedBundleId"/> when the repository has it, else "tiny".</summary>
    public static string DefaultBundleId => RepositoryBundles().ContainsKey(TrainedBundleId) ? TrainedBundleId : "tiny";

    /// <summary>
    /// The repository's bundles (bundles/&lt;id&gt;/bundle.json, e.g. "fashion-mnist" and "tiny"), found from the
    /// working directory or the executable; every embedded or served silo registers them under their folder names.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RepositoryBundles()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var bundles = Path.Combine(dir.FullName, "bundles");
                if (!File.Exists(Path.Combine(bundles, "tiny", "bundle.json"))) continue;
                return Directory.GetDirectories(bundles)
                    .Where(d => File.Exists(Path.Combine(d, "bundle.json")))
                    .ToDictionary(d => Path.GetFileName(d), d => Path.Combine(d, "bundle.json"));
            }
        return new Dictionary<string, string> { ["tiny"] = Path.Combine("bundles", "tiny", "bundle.json") };
    }

    /// <summary>
    /// <paramref name="relative"/> under the repository root (found from the working directory or the executable, as
    /// the bundles are), or the relative path itself when no root is found.
    /// </summary>
    public static string RepositoryFile(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return relative;
    }

    /// <summary>The path of a repository bundle by id (the default bundle when null).</summary>
    public static string BundlePath(string? id = null) => RepositoryBundles().TryGetValue(id ?? DefaultBundleId, out var p)
        ? p : throw new KeyNotFoundException($"no repository bundle '{id}' (have: {string.Join(", ", RepositoryBundles().Keys)})");

    public static Option<string> Bundle() => new("--bundle")
    {
        Description = $"Bundle id in the grid's registry (default: {TrainedBundleId} when present, else tiny); with --local also a bundle folder or its bundle.json",
        DefaultValueFactory = _ => DefaultBundleId,
    };

    /// <summary><c>--bundle</c> of the commands that load a bundle in this process (eval, train-probe): see <see cref="BundleFile"/>.</summary>
    public static Option<string?> LocalBundle() => new("--bundle")
    {
        Description = $"Bundle folder, its bundle.json, or a repository bundle id (default: {TrainedBundleId} when present, else tiny)",
    };

    /// <summary>A bundle folder's <c>bundle.json</c>; any other path as it is.</summary>
    public static string BundleJsonOf(string path) => Directory.Exists(path) ? Path.Combine(path, "bundle.json") : path;

    /// <summary>The bundle file a <see cref="LocalBundle"/> value names: a folder, a file, or a repository bundle id (null: the default).</summary>
    public static string BundleFile(string? option)
    {
        if (option is null) return BundlePath();
        var path = BundleJsonOf(option);
        if (File.Exists(path)) return path;
        if (RepositoryBundles().TryGetValue(option, out var byId)) return byId;
        throw new FileNotFoundException($"--bundle {option}: no bundle there ({path} not found, and no repository bundle has that id)", path);
    }

    /// <summary><c>--data</c>: a labelled dataset with train and test splits (eval, train-probe).</summary>
    public static Option<string> LabelledData() => new("--data")
    {
        Description = "Fashion-MNIST IDX folder, or an image folder (<dir>/<class>/<image>, optionally under train/ and test/)",
        DefaultValueFactory = _ => Training.Data.FashionMnist.DefaultDirectory,
    };

    public static Option<string> Out(string fallback) => new("--out")
    {
        Description = "Folder the job's outputs are fetched into",
        DefaultValueFactory = _ => fallback,
    };

    public const string RandomWeightsNotice =
        "[yellow]NOTE: this bundle's weights are randomly initialised: its images are noise-like, not real samples.[/]";

    /// <summary>Runs <paramref name="body"/>, turning expected errors into one red line and exit code 1.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException
                                      or FileNotFoundException or Silo.GridConfigurationException or OrleansException
                                      or Contracts.AccessDeniedException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }
}
