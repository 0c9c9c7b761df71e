using System.Reflection;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// Finds the <c>rae-grid</c> CLI the solution build made (<c>Client/Cli/bin/&lt;configuration&gt;/net10.0/rae-grid.dll</c>,
/// the configuration being the test assembly's), and refuses a missing or stale one: the test project does not reference
/// the CLI, so <c>dotnet test tests/Grid.Tests</c> alone would otherwise run an old build of the grid.
/// </summary>
public static class GridCli
{
    // Each project the CLI is built from → its assembly in the CLI's output folder.
    static readonly (string Folder, string Assembly)[] Projects =
    [
        ("Contracts", "RAE.Grid.Contracts.dll"), ("Models", "RAE.Grid.Models.dll"), ("Grains", "RAE.Grid.Grains.dll"),
        ("Silo", "RAE.Grid.Silo.dll"), ("Client/Library", "RAE.Grid.Client.dll"), ("Client/Cli", "rae-grid.dll"),
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

    /// <summary>Path of rae-grid.dll; throws naming the build command when it is missing or older than its sources.</summary>
    public static string Locate(string repo)
    {
        var configuration = Configuration();
        var bin = Path.Combine(repo, "Client", "Cli", "bin", configuration, "net10.0");
        var cli = Path.Combine(bin, "rae-grid.dll");
        var build = $"`dotnet build RAE.Grid.sln -c {configuration}` (or `dotnet build Client/Cli -c {configuration}`)";
        if (!File.Exists(cli))
            throw new InvalidOperationException($"the rae-grid CLI is not built ({cli} is missing): run {build} first; `dotnet test RAE.Grid.sln` builds it.");
        var stale = new List<string>();
        foreach (var (folder, assembly) in Projects)
        {
            var dll = new FileInfo(Path.Combine(bin, assembly));
            var newest = NewestSource(Path.Combine(repo, folder));
            if (!dll.Exists) stale.Add($"{assembly} is missing");
            else if (newest is not null && newest.LastWriteTimeUtc > dll.LastWriteTimeUtc)
                stale.Add($"{Path.GetRelativePath(repo, newest.FullName)} is newer than {assembly}");
        }
        if (stale.Count > 0)
            throw new InvalidOperationException($"the rae-grid CLI in {bin} is older than its sources ({string.Join("; ", stale)}): run {build}.");
        return cli;
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
