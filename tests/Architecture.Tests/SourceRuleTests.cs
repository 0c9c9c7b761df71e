using System.Reflection;
using System.Text.RegularExpressions;

namespace RAE.Grid.Architecture.Tests;

/// <summary>
/// Rules read from the production sources and the compiled Grains assembly: one home per public type, and no numerics
/// in the job and placement code.
/// </summary>
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

    /// <summary>Namespaces of the control plane: jobs, partitions and routing move names and receipts, never tensors or pixels.</summary>
    static readonly string[] ControlPlane = ["RAE.Grid.Grains.Jobs", "RAE.Grid.Grains.Placement"];

    [Fact]
    public void Job_and_placement_code_moves_names_not_tensors()
    {
        var root = ProjectFile.RepositoryRoot();
        var numeric = new[] { "Jobs", "Placement" }
            .SelectMany(f => SourcesOf(Path.Combine("Grains", f)))
            .Where(f => File.ReadAllText(f).Contains("TorchSharp"))
            .Select(f => Path.GetRelativePath(root, f)).ToList();
        Assert.True(numeric.Count == 0, "tensor code in the control plane (it belongs in Models, called by the grain): " + string.Join(", ", numeric));

        // The compiled code too, where a qualified name or a `var` hides what the sources say: no control-plane type
        // mentions a TorchSharp type, nor calls model-library code that does, directly or through further Models calls
        // (Models' plain arithmetic — best-of-N ranking, candidate seeds — is one function everywhere, so it may be shared).
        var grains = Assembly.Load(new AssemblyName(Layer.Named("Grains").Assembly));
        var tensorUse = new Dictionary<MethodBase, string?>();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in grains.GetTypes().Where(t => ControlPlane.Contains(t.Namespace)))
        {
            foreach (var t in CompiledUses.SignatureOf(type).Where(IsTorch)) found.Add($"{type.FullName} declares {t.FullName}");
            foreach (var method in CompiledUses.MethodsOf(type))
            {
                var (locals, named) = CompiledUses.BodyOf(method);
                foreach (var t in locals.Concat(named.SelectMany(CompiledUses.TypesOf)).Where(IsTorch))
                    found.Add($"{type.FullName}.{method.Name} uses {t.FullName}");
                foreach (var callee in named.OfType<MethodBase>().Where(IsModels))
                    if (TensorUse(callee, tensorUse) is { } path) found.Add($"{type.FullName}.{method.Name} calls {path}");
            }
        }
        Assert.True(found.Count == 0, "tensor code in the control plane (build it in a stage, which the job calls with names):\n  " + string.Join("\n  ", found));
    }

    static bool IsTorch(Type t) => t.Assembly.GetName().Name is { } a && (a.StartsWith("TorchSharp") || a.StartsWith("TorchVision"));

    static bool IsModels(MemberInfo m) => m.DeclaringType?.Assembly.GetName().Name == Layer.Named("Models").Assembly;

    /// <summary>How Models method <paramref name="method"/> reaches TorchSharp ("A.B → C.D uses T"), or null when it never does.</summary>
    static string? TensorUse(MethodBase method, Dictionary<MethodBase, string?> known)
    {
        if (method.IsGenericMethod && !method.IsGenericMethodDefinition) method = ((MethodInfo)method).GetGenericMethodDefinition();
        if (known.TryGetValue(method, out var path)) return path;
        known[method] = null; // a recursive call counts as tensor-free until its body says otherwise
        var name = $"{method.DeclaringType!.FullName}.{method.Name}";
        var (locals, named) = CompiledUses.BodyOf(method);
        var torch = CompiledUses.SignatureOf(method).Concat(locals).Concat(named.SelectMany(CompiledUses.TypesOf)).FirstOrDefault(IsTorch);
        path = torch is not null ? $"{name} uses {torch.FullName}" : null;
        // Further Models code: methods it calls, and the static initializers of Models types whose fields it reads.
        var next = named.OfType<MethodBase>().Where(IsModels)
            .Concat(named.OfType<FieldInfo>().Where(f => f.IsStatic && IsModels(f)).Select(f => f.DeclaringType!.TypeInitializer).OfType<MethodBase>());
        foreach (var callee in next)
        {
            if (path is not null) break;
            if (TensorUse(callee, known) is { } deeper) path = $"{name} → {deeper}";
        }
        return known[method] = path;
    }
}
