using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Verifiers;

namespace RAE.Grid.Models.Tests.Evaluation;

/// <summary>
/// The development T2I bundle: a random Scale-RAE T2I model (latent 64×4×4) on the shipped Fashion-MNIST bundle's
/// frozen encoder and decoder, with its class probe (<see cref="RandomBundle.CreateT2I(string, string, long)"/>). Made
/// once per test run in a temp folder, so text-to-image evaluation is tested on real images before a T2I model is trained.
/// </summary>
internal static class RandomFashionT2I
{
    static readonly Lazy<string> Path = new(() => RandomBundle.CreateT2I(
        System.IO.Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "fashion-mnist", "bundle.json"),
        Directory.CreateTempSubdirectory("rae-fmnist-t2i").FullName, seed: 3));

    static readonly Lazy<RaeModel> Shared = new(() => RaeModel.Load(Path.Value));

    /// <summary>The bundle file.</summary>
    public static string BundlePath => Path.Value;

    /// <summary>The bundle loaded once and shared by the tests.</summary>
    public static RaeModel Model => Shared.Value;
}
