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
        Description = $"Bundle id in the grid's registry (default: {TrainedBundleId} when present, else tiny); with --local also a path to a bundle JSON",
        DefaultValueFactory = _ => DefaultBundleId,
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
                                      or FileNotFoundException or Silo.GridConfigurationException or OrleansException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }
}

/// <summary>How a command reaches the grid: an embedded silo (--local, the default without a cluster) or a cluster.</summary>
internal sealed class ConnectionOptions
{
    public readonly Option<bool> Local = new("--local") { Description = "Run the job on an embedded silo in this process (default when no cluster is configured)" };
    public readonly Option<string?> Cluster = new("--cluster") { Description = "Connect to a cluster: localhost or redis (env RAEGRID_CLUSTER)" };
    public readonly Option<string?> Redis = new("--redis") { Description = "Redis connection string for --cluster redis (env RAEGRID_REDIS)" };
    public readonly Option<int> GatewayPort = new("--gateway-port") { Description = "Gateway port for --cluster localhost", DefaultValueFactory = _ => 30000 };
    public readonly Option<string?> Device = new("--device") { Description = "Embedded silo's device: cpu, cuda, cuda:N" };
    public readonly Option<string?> State = new("--state") { Description = "Embedded silo's folder for job state and the store", DefaultValueFactory = _ => ".rae-grid" };

    public void AddTo(Command c)
    {
        c.Options.Add(Local); c.Options.Add(Cluster); c.Options.Add(Redis); c.Options.Add(GatewayPort); c.Options.Add(Device); c.Options.Add(State);
    }

    /// <summary>Opens the grid the options describe; <paramref name="bundle"/> is registered in an embedded silo when it is a path.</summary>
    public async Task<GridSession> OpenAsync(ParseResult pr, string bundle)
    {
        var cluster = pr.GetValue(Cluster) ?? Environment.GetEnvironmentVariable("RAEGRID_CLUSTER");
        var redis = pr.GetValue(Redis) ?? Environment.GetEnvironmentVariable("RAEGRID_REDIS");
        if (pr.GetValue(Local) || string.IsNullOrWhiteSpace(cluster))
            return await GridSession.EmbeddedAsync(bundle, pr.GetValue(Device), pr.GetValue(State)!);
        return await GridSession.ConnectAsync(new RAE.Grid.Client.GridConnection(cluster!, pr.GetValue(GatewayPort), redis), bundle);
    }
}
