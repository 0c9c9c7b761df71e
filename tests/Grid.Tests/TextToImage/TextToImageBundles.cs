using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.TextToImage;

/// <summary>
/// The bundle prompt-job tests run on — the shipped random-weight <c>bundles/tiny-t2i</c> (a Qwen2-architecture LLM with
/// latent queries, projectors and a per-token LightningDiT on a SigLIP-2 RAE, with the Answer-Logits and
/// Prompt-Confidence latent verifiers) — and the silo configuration that registers it.
/// </summary>
public static class TextToImageBundles
{
    /// <summary>Its id in the silos' bundle registry.</summary>
    public const string Id = "tiny-t2i";

    /// <summary>Its bundle file.</summary>
    public static string Path => System.IO.Path.Combine(GridCli.RepositoryRoot(), "bundles", Id, "bundle.json");

    /// <summary><paramref name="extra"/> plus the configuration every prompt-job test silo needs.</summary>
    public static Dictionary<string, string?> Config(Dictionary<string, string?> extra)
    {
        extra[$"Grid:Bundles:{Id}"] = Path;
        return extra;
    }
}
