namespace RAE.Grid.GridBenchmarks;

/// <summary>The repository this program was built from: found as the first folder above it holding RAE.Grid.sln.</summary>
public static class Repository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RAE.Grid.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("RAE.Grid.sln not found above " + AppContext.BaseDirectory + " (run the built program from the repository, or pass --bundle)");
    }

    /// <summary>The default bundle (bundles/fashion-mnist/bundle.json).</summary>
    public static string DefaultBundle() => Path.Combine(Root(), "bundles", "fashion-mnist", "bundle.json");
}
