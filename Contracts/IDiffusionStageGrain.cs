namespace RAE.Grid.Contracts;

/// <summary>
/// The diffusion stage (keyed like <see cref="IEncoderStageGrain"/>): the whole ODE solve in one call; the latent stays
/// on the device until it returns.
/// </summary>
[Alias("rae.IDiffusionStageGrain")]
public interface IDiffusionStageGrain : IGrainWithStringKey
{
    [Alias("Generate"), ResponseTimeout("00:30:00")] Task<TensorPayload> Generate(DiffusionItem item, CancellationToken cancellation = default);

    /// <summary>Samples <paramref name="item"/> and hands the latent to <paramref name="route"/>'s decoder stage, which writes the PNG; returns the stored PNG's receipt.</summary>
    [Alias("GenerateRouted"), ResponseTimeout("00:30:00")] Task<OutputReceipt> GenerateRouted(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default);

    /// <summary>
    /// <paramref name="requested"/> with every unset field taken from this stage's bundle defaults, validated: throws an
    /// <see cref="ArgumentException"/> naming every bad field. Reads the bundle file only; no model is loaded.
    /// </summary>
    [Alias("ResolveSampling")] Task<SamplingSpec> ResolveSampling(SamplingSpec requested);
}
