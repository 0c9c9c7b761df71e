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

    /// <summary>
    /// Path of rae-grid.dll once it is built and newer than its sources. <c>dotnet test RAE.Grid.sln</c> builds projects in
    /// parallel and starts each test assembly as soon as its own build is done, so the CLI (not a dependency of this test
    /// project) may still be building: while a build is visibly active (files in the CLI's, silo's or client library's
    /// bin/obj changing) this waits, at most <paramref name="maxWait"/>, for a complete, settled build. Throws, naming the
    /// build command, when the CLI is missing or stale and no build is under way.
    /// </summary>
    public static async Task<string> LocateAsync(string repo, TimeSpan maxWait)
    {
        var configuration = Configuration();
        var bin = Path.Combine(repo, "Client", "Cli", "bin", configuration, "net10.0");
        var build = $"`dotnet build RAE.Grid.sln -c {configuration}` (or `dotnet build Client/Cli -c {configuration}`)";
        var buildFolders = new[] { bin, Path.Combine(repo, "Client", "Cli", "obj"), Path.Combine(repo, "Silo", "obj"), Path.Combine(repo, "Client", "Library", "obj") };
        var quiet = TimeSpan.FromSeconds(20); // no build output for this long: no build is coming
        var settle = TimeSpan.FromSeconds(3); // a finished build has not written its output for this long
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var problem = Problem(repo, bin);
            var sinceActivity = DateTime.UtcNow - NewestWrite(buildFolders);
            if (problem is null && sinceActivity >= settle) return Path.Combine(bin, "rae-grid.dll");
            if (problem is not null && sinceActivity >= quiet)
                throw new InvalidOperationException($"{problem}: run {build} first; `dotnet test RAE.Grid.sln` builds it.");
            if (clock.Elapsed >= maxWait)
                throw new InvalidOperationException($"{problem ?? "the CLI's build output is still changing"} after waiting " +
                                                    $"{maxWait.TotalSeconds:0} s for a build in progress: run {build} first.");
            await Task.Delay(500);
        }
    }

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

    static DateTime NewestWrite(IEnumerable<string> folders) =>
        folders.Where(Directory.Exists)
            .SelectMany(f => new DirectoryInfo(f).EnumerateFiles("*", SearchOption.AllDirectories))
            .Select(f => f.LastWriteTimeUtc).DefaultIfEmpty(DateTime.MinValue).Max();

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
