using System.Reflection;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// Finds the <c>rae-grid</c> CLI (<c>Cli/bin/&lt;configuration&gt;/net10.0/rae-grid.dll</c>, the configuration
/// being the test assembly's) and builds it when it is missing or older than its sources, so the multi-process test
/// never runs an old build of the grid.
/// </summary>
public static class GridCli
{
    // Each project the CLI is built from → its assembly in the CLI's output folder.
    static readonly (string Folder, string Assembly)[] Projects =
    [
        ("Contracts", "RAE.Grid.Contracts.dll"), ("Models", "RAE.Grid.Models.dll"), ("Grains", "RAE.Grid.Grains.dll"),
        ("Silo", "RAE.Grid.Silo.dll"), ("Client", "RAE.Grid.Client.dll"), ("Training", "RAE.Grid.Training.dll"), ("Cli", "rae-grid.dll"),
    ];

    /// <summary>The folder holding RAE.Grid.sln above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RAE.Grid.sln"))) return dir.FullName;
        throw new InvalidOperationException($"RAE.Grid.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The build configuration of this test assembly (Debug, Release).</summary>
    public static string Configuration() =>
        typeof(GridCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c
            ? c
            : new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>
    /// Path of an up-to-date rae-grid.dll, building the CLI first when it is missing or older than its sources:
    /// <c>dotnet test RAE.Grid.sln</c> builds only the test projects and what they reference, and this test project does
    /// not reference the CLI, so on a fresh clone (or after an edit to Grains/, Silo/...) nothing else builds it. The build
    /// is <c>dotnet build Cli -c &lt;this configuration&gt;</c> in its own MSBuild process (no node reuse, so it never
    /// attaches to the nodes of a solution build that may still be running other projects), bounded by
    /// <paramref name="timeout"/>; its output is in the exception when it fails.
    /// </summary>
    public static async Task<string> EnsureBuiltAsync(string repo, TimeSpan timeout)
    {
        var configuration = Configuration();
        var bin = Path.Combine(repo, "Cli", "bin", configuration, "net10.0");
        var before = Problem(repo, bin);
        if (before is null) return Path.Combine(bin, "rae-grid.dll");

        var project = Path.Combine(repo, "Cli", "RAE.Grid.Cli.csproj");
        // The test host runs under `dotnet test`, whose MSBuild variables would steer a nested build: drop them.
        var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(k => k, _ => (string?)null);
        env["MSBUILDDISABLENODEREUSE"] = "1";
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var build = ChildProcess.Start("build-cli", DotnetHost(),
            ["build", project, "-c", configuration, "-nodeReuse:false", "-nologo", "-v:minimal"], repo, env);
        var code = await build.WaitForExitAsync(timeout);
        if (code is null) build.Kill();
        var after = Problem(repo, bin);
        if (code == 0 && after is null) return Path.Combine(bin, "rae-grid.dll");
        throw new InvalidOperationException(
            $"the rae-grid CLI was not usable ({before}) and building it " +
            (code is null ? $"did not finish within {timeout.TotalSeconds:0} s" : code != 0 ? $"failed (exit code {code})" : $"left it unusable ({after})") +
            $"; build it with `dotnet build Cli -c {configuration}`.\n{build.Tail(60)}");
    }

    /// <summary>The dotnet executable running this test (DOTNET_HOST_PATH under dotnet test), else "dotnet" from PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    // Null when every assembly of the CLI is present and newer than its project's sources; else what is wrong.
    static string? Problem(string repo, string bin)
    {
        var cli = Path.Combine(bin, "rae-grid.dll");
        if (!File.Exists(cli)) return $"the rae-grid CLI is not built ({cli} is missing)";
        var stale = new List<string>();
        foreach (var (folder, assembly) in Projects)
        {
            var dll = new FileInfo(Path.Combine(bin, assembly));
            var newest = NewestSource(Path.Combine(repo, folder));
            if (!dll.Exists) stale.Add($"{assembly} is missing");
            else if (newest is not null && newest.LastWriteTimeUtc > dll.LastWriteTimeUtc)
                stale.Add($"{Path.GetRelativePath(repo, newest.FullName)} is newer than {assembly}");
        }
        return stale.Count == 0 ? null : $"the rae-grid CLI in {bin} is older than its sources ({string.Join("; ", stale)})";
    }

    static FileInfo? NewestSource(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        var sep = Path.DirectorySeparatorChar;
        return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is ".cs" or ".csproj")
            .Where(f => !f.FullName.Contains($"{sep}bin{sep}") && !f.FullName.Contains($"{sep}obj{sep}"))
            .MaxBy(f => f.LastWriteTimeUtc);
    }
}
