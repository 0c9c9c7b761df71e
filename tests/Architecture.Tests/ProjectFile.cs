using System.Xml.Linq;

namespace RAE.Grid.Architecture.Tests;

/// <summary>What a layer's project file declares: its project references (as layer names) and package references.</summary>
public sealed record ProjectFile(string Path, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> PackageReferences)
{
    /// <summary>The repository root: the folder holding RAE.Grid.sln above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RAE.Grid.sln"))) return dir.FullName;
        throw new InvalidOperationException($"RAE.Grid.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The single .csproj in <paramref name="layer"/>'s folder, read.</summary>
    public static ProjectFile Of(Layer layer, string? root = null)
    {
        var folder = System.IO.Path.Combine(root ?? RepositoryRoot(), layer.Name);
        var path = Directory.GetFiles(folder, "*.csproj").Single();
        var xml = XDocument.Load(path);
        var projects = xml.Descendants("ProjectReference")
            .Select(e => (string)e.Attribute("Include")!)
            .Select(include => LayerOfProjectPath(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, include.Replace('\\', '/')))))
            .ToList();
        var packages = xml.Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!).ToList();
        return new ProjectFile(path, projects, packages);
    }

    // A referenced project → the layer whose folder holds it (or its path, relative to the root, for anything else).
    static string LayerOfProjectPath(string csproj)
    {
        var root = RepositoryRoot();
        var relative = System.IO.Path.GetRelativePath(root, System.IO.Path.GetDirectoryName(csproj)!).Replace('\\', '/');
        return Layer.All.FirstOrDefault(l => l.Name == relative)?.Name ?? relative;
    }

    /// <summary>The package references of <paramref name="layer"/> and of every layer it references, transitively, each with where it comes from.</summary>
    public static IEnumerable<(string Package, string From)> PackageClosure(Layer layer, string? root = null)
    {
        var seen = new HashSet<string>();
        var todo = new Stack<string>([layer.Name]);
        while (todo.Count > 0)
        {
            var name = todo.Pop();
            if (!seen.Add(name)) continue;
            var project = Of(Layer.Named(name), root);
            foreach (var p in project.PackageReferences) yield return (p, name);
            foreach (var r in project.ProjectReferences.Where(r => Layer.All.Any(l => l.Name == r))) todo.Push(r);
        }
    }
}
