namespace RAE.Grid.Contracts;

/// <summary>A generation job's items and settings: every class × <see cref="PerClass"/> samples.</summary>
/// <param name="Classes">Class labels to sample.</param>
/// <param name="PerClass">Samples per class.</param>
/// <param name="Seed">Run seed: item i's starting noise depends only on (seed, i).</param>
/// <param name="Sampling">Sampler and guidance; null or unset fields take the bundle's defaults.</param>
/// <param name="OutputSize">Resize outputs to this side (pixels); null keeps the bundle's image size.</param>
/// <param name="BestOf">Best-of-N: sample N candidates per item and keep the verifier's best k (null: one sample per item).</param>
[GenerateSerializer, Immutable, Alias("rae.GenerateSpec")]
public sealed record GenerateSpec(
    [property: Id(0)] int[] Classes,
    [property: Id(1)] int PerClass,
    [property: Id(2)] long Seed,
    [property: Id(3)] SamplingSpec? Sampling = null,
    [property: Id(4)] int? OutputSize = null,
    [property: Id(5)] BestOfSpec? BestOf = null)
{
    // Methods, not properties: job state serializes this record by its properties.
    /// <summary>Outputs per item: <see cref="BestOfSpec.Keep"/> with best-of-N, else 1.</summary>
    public int OutputsPerItem() => BestOf?.Keep ?? 1;

    /// <summary>Outputs of the whole request: classes × per-class × outputs per item.</summary>
    public long Outputs() => (long)(Classes?.Length ?? 0) * PerClass * OutputsPerItem();
}
