namespace RAE.Grid.Contracts;

/// <summary>A generation job's items and settings: every class × <see cref="PerClass"/> samples.</summary>
/// <param name="Classes">Class labels to sample.</param>
/// <param name="PerClass">Samples per class.</param>
/// <param name="Seed">Run seed: item i's starting noise depends only on (seed, i).</param>
/// <param name="Sampling">Sampler and guidance; null or unset fields take the bundle's defaults.</param>
/// <param name="OutputSize">Resize outputs to this side (pixels); null keeps the bundle's image size.</param>
[GenerateSerializer, Immutable, Alias("rae.GenerateSpec")]
public sealed record GenerateSpec(
    [property: Id(0)] int[] Classes,
    [property: Id(1)] int PerClass,
    [property: Id(2)] long Seed,
    [property: Id(3)] SamplingSpec? Sampling = null,
    [property: Id(4)] int? OutputSize = null);
