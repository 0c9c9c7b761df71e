using RAE.Grid.Models.Rae;
using RAE.Grid.Grid.Tests.MultiProcess;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>
/// The shipped random-weight bundles the stage-kernel tests run on (<c>bundles/tiny</c>, <c>bundles/tiny-t2i</c>,
/// <c>bundles/tiny-siglip2</c>), each loaded once, on first use.
/// </summary>
public sealed class KernelModels : IDisposable
{
    readonly Lazy<RaeModel> _tiny = new(() => Load("tiny"));
    readonly Lazy<RaeModel> _textToImage = new(() => Load("tiny-t2i"));
    readonly Lazy<RaeModel> _siglip2 = new(() => Load("tiny-siglip2"));

    /// <summary>Class-conditional DINOv2 RAE at 256², 10 classes, no verifier.</summary>
    public RaeModel Tiny => _tiny.Value;

    /// <summary>Scale-RAE text-to-image bundle (Qwen2-architecture LLM and per-token DiT).</summary>
    public RaeModel TextToImage => _textToImage.Value;

    /// <summary>SigLIP-2 RAE with its text tower as the <c>siglip2</c> verifier.</summary>
    public RaeModel Siglip2 => _siglip2.Value;

    static RaeModel Load(string id) => RaeModel.Load(Path.Combine(GridCli.RepositoryRoot(), "bundles", id, "bundle.json"));

    public void Dispose()
    {
        foreach (var model in new[] { _tiny, _textToImage, _siglip2 })
            if (model.IsValueCreated) model.Value.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class KernelModelsCollection : ICollectionFixture<KernelModels>
{
    public const string Name = "stage kernels on the shipped tiny bundles";
}
