namespace RAE.Grid.Contracts;

/// <summary>
/// How a generation job samples. Every field is optional: one left null takes the bundle's default (its <c>sampler</c>
/// and <c>guidance</c> sections), so a request carries only what its user chose. The job resolves the spec against the
/// bundle when it starts (rejecting a bad value there, naming the field) and persists the resolved spec, which is also
/// what its manifest records.
/// </summary>
/// <param name="Steps">Grid points of the ODE solve (the official <c>num_steps</c>).</param>
/// <param name="Sampler">ODE method: <c>euler</c> (official) or <c>heun</c>.</param>
/// <param name="Guidance">Guidance method: <c>none</c>, <c>cfg</c> or <c>autoguidance</c> (the bundle's weak model).</param>
/// <param name="Scale">Guidance scale; as in the official sample.py, a scale ≤ 1 means no guidance whatever the method
/// (finite, at least 0 for class guidance and 1 for text-to-image CFG: see docs/limits.md).</param>
/// <param name="TMin">Start of the guidance interval, in [0, 1].</param>
/// <param name="TMax">End of the guidance interval, in [0, 1].</param>
[GenerateSerializer, Immutable, Alias("rae.SamplingSpec")]
public sealed record SamplingSpec(
    [property: Id(0)] int? Steps = null,
    [property: Id(1)] string? Sampler = null,
    [property: Id(2)] string? Guidance = null,
    [property: Id(3)] double? Scale = null,
    [property: Id(4)] double? TMin = null,
    [property: Id(5)] double? TMax = null)
{
    /// <summary>All defaults: sample exactly as the bundle says.</summary>
    public static SamplingSpec BundleDefaults { get; } = new();
}
