using System.Reflection;

namespace RAE.Grid.Architecture.Tests;

/// <summary>
/// The arrows between the layers point only one way, read from what each project declares (its .csproj, so a wrong
/// reference fails even before any code uses it) and from what its compiled assembly references (so a type used across
/// a wall fails even when it comes in transitively).
/// </summary>
public sealed class LayerReferenceTests
{
    public static TheoryData<string> Layers => new(Layer.All.Select(l => l.Name));

    [Theory, MemberData(nameof(Layers))]
    public void A_project_references_only_the_layers_it_may(string name)
    {
        var layer = Layer.Named(name);
        var project = ProjectFile.Of(layer);
        var wrong = project.ProjectReferences.Where(r => !layer.MayReference.Contains(r)).ToList();
        Assert.True(wrong.Count == 0,
            $"{project.Path} references {string.Join(", ", wrong)}; {layer} may reference only [{string.Join(", ", layer.MayReference)}]");
    }

    [Theory, MemberData(nameof(Layers))]
    public void No_forbidden_package_is_in_a_layer_or_below_it(string name)
    {
        var layer = Layer.Named(name);
        var wrong = ProjectFile.PackageClosure(layer)
            .Where(p => layer.Forbidden.Any(f => p.Package.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
            .Select(p => $"{p.Package} (declared by {p.From})").ToList();
        Assert.True(wrong.Count == 0, $"{layer} must not depend on [{string.Join(", ", layer.Forbidden)}], but has {string.Join(", ", wrong)}");
    }

    [Fact]
    public void Nothing_references_the_cli()
    {
        var wrong = Layer.All.Where(l => ProjectFile.Of(l).ProjectReferences.Contains("Cli")).ToList();
        Assert.True(wrong.Count == 0, $"the CLI is the composition root, but {string.Join(", ", wrong)} reference it");
    }

    public static TheoryData<string> CompiledLayers => new(Layer.All.Where(l => l.Name != "Cli").Select(l => l.Name));

    [Theory, MemberData(nameof(CompiledLayers))]
    public void A_compiled_assembly_uses_only_the_layers_it_may_and_nothing_forbidden(string name)
    {
        var layer = Layer.Named(name);
        var references = Assembly.Load(new AssemblyName(layer.Assembly)).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var wrongLayers = references.Select(Layer.OfAssembly).OfType<Layer>().Where(l => !layer.MayUse.Contains(l.Name)).ToList();
        var forbidden = references.Where(r => layer.Forbidden.Any(f => r.StartsWith(f, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(wrongLayers.Count == 0 && forbidden.Count == 0,
            $"{layer.Assembly} uses {string.Join(", ", wrongLayers.Select(l => l.Assembly).Concat(forbidden))}; " +
            $"it may use the layers [{string.Join(", ", layer.MayUse)}] and nothing starting with [{string.Join(", ", layer.Forbidden)}]");
    }
}
