using System.Text.RegularExpressions;

namespace RAE.Grid.Architecture.Tests;

/// <summary>Rules read from the production sources: one home per public type, and no numerics in the job grains.</summary>
public sealed partial class SourceRuleTests
{
    // A top-level public type: the projects use file-scoped namespaces, so top-level declarations start at column 0.
    [GeneratedRegex(@"^public (?:(?:sealed|static|abstract|partial|readonly|unsafe) )*(?:class|record struct|record|struct|interface|enum) ([A-Za-z0-9_]+)", RegexOptions.Multiline)]
    private static partial Regex PublicType();

    static IEnumerable<string> SourcesOf(string folder) =>
        Directory.EnumerateFiles(Path.Combine(ProjectFile.RepositoryRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    [Fact]
    public void Each_public_type_lives_in_a_file_of_its_own_name()
    {
        var root = ProjectFile.RepositoryRoot();
        var strangers = new List<string>();
        foreach (var layer in Layer.All)
            foreach (var file in SourcesOf(layer.Name))
            {
                var home = Path.GetFileNameWithoutExtension(file).Split('.')[0]; // Foo.cs, or a part Foo.Bar.cs
                foreach (Match m in PublicType().Matches(File.ReadAllText(file)))
                    if (m.Groups[1].Value != home) strangers.Add($"{Path.GetRelativePath(root, file)}: {m.Groups[1].Value}");
            }
        Assert.True(strangers.Count == 0, "public types outside a file of their own name:\n  " + string.Join("\n  ", strangers));
    }

    [Fact]
    public void Job_and_placement_code_moves_names_not_tensors()
    {
        var root = ProjectFile.RepositoryRoot();
        var numeric = new[] { "Jobs", "Placement" }
            .SelectMany(f => SourcesOf(Path.Combine("Grains", f)))
            .Where(f => File.ReadAllText(f).Contains("TorchSharp"))
            .Select(f => Path.GetRelativePath(root, f)).ToList();
        Assert.True(numeric.Count == 0, "tensor code in the control plane (it belongs in Models, called by the grain): " + string.Join(", ", numeric));
    }
}
