using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.BestOf;

/// <summary>
/// The bundle best-of-N grid tests run on — the shipped random-weight <c>bundles/tiny-siglip2</c>, whose verifier is the
/// real SigLIP-2 text–latent alignment (pooling head on the generated tokens against the text tower) — and the silo
/// configuration that registers it.
/// </summary>
public static class BestOfBundles
{
    /// <summary>Its id in the silos' bundle registry.</summary>
    public const string Id = "tiny-siglip2";

    /// <summary>Its verifier.</summary>
    public const string Verifier = "siglip2";

    /// <summary><paramref name="extra"/> plus the configuration every best-of-N test silo needs.</summary>
    public static Dictionary<string, string?> Config(Dictionary<string, string?> extra)
    {
        extra[$"Grid:Bundles:{Id}"] = Path.Combine(GridCli.RepositoryRoot(), "bundles", Id, "bundle.json");
        return extra;
    }
}
