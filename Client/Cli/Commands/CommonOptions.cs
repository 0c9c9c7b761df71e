using System.CommandLine;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Options shared by the commands.</summary>
internal static class CommonOptions
{
    /// <summary>The repository's default bundle (bundles/tiny/bundle.json), found from the working directory or the executable.</summary>
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
        Description = "Bundle id in the grid's registry (default: tiny); with --local also a path to a bundle JSON",
        DefaultValueFactory = _ => "tiny",
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
