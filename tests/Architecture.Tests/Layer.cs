namespace RAE.Grid.Architecture.Tests;

/// <summary>
/// One layer of RAE.Grid: its project (by folder), its assembly, which layers it may reference, and which packages or
/// assemblies may not appear in it or below it.
/// </summary>
/// <param name="Name">The layer's name, which is also its folder under the repository root.</param>
/// <param name="Assembly">The assembly the project builds.</param>
/// <param name="MayReference">Layers its project file may reference directly.</param>
/// <param name="MayUse">Layers its compiled assembly may use directly (a lower layer's vocabulary, e.g. Contracts).</param>
/// <param name="Forbidden">Prefixes of package and assembly names that may not appear in the layer or anything it references.</param>
public sealed record Layer(string Name, string Assembly, string[] MayReference, string[] MayUse, string[] Forbidden)
{
    /// <summary>
    /// The layer table of docs/DESIGN.md and the structure issue: Contracts and Models stand alone (no TorchSharp in
    /// Contracts, no Orleans in Models); Training on Models; Grains on Contracts and Models; Silo on Grains (using the
    /// Contracts vocabulary, never Models directly); the client library on Contracts (no TorchSharp); the CLI on
    /// anything, and nothing on the CLI.
    /// </summary>
    public static readonly Layer[] All =
    [
        new("Contracts", "RAE.Grid.Contracts", [], [], ["TorchSharp", "libtorch"]),
        new("Models", "RAE.Grid.Models", [], [], ["Orleans", "Microsoft.Orleans"]),
        new("Training", "RAE.Grid.Training", ["Models"], ["Models"], ["Orleans", "Microsoft.Orleans"]),
        new("Grains", "RAE.Grid.Grains", ["Contracts", "Models"], ["Contracts", "Models"], []),
        new("Silo", "RAE.Grid.Silo", ["Grains"], ["Grains", "Contracts"], []),
        new("Client", "RAE.Grid.Client", ["Contracts"], ["Contracts"], ["TorchSharp", "libtorch"]),
        new("Cli", "rae-grid", ["Client", "Silo", "Training"], ["Client", "Silo", "Training", "Grains", "Models", "Contracts"], []),
    ];

    /// <summary>The layer named <paramref name="name"/>.</summary>
    public static Layer Named(string name) => All.Single(l => l.Name == name);

    /// <summary>The layer whose assembly is <paramref name="assembly"/>, or null for other assemblies.</summary>
    public static Layer? OfAssembly(string assembly) => All.SingleOrDefault(l => l.Assembly == assembly);

    public override string ToString() => Name;
}
