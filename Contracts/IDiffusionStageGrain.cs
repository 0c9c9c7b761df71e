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
    /// Samples one best-of-N candidate, has the verifier stage <see cref="CandidateRoute.VerifierKey"/> score it, and keeps
    /// its latent on this silo for <see cref="DecodeCandidate"/> (bounded by <c>Grid:Pipeline:CandidateCacheBytes</c>).
    /// </summary>
    [Alias("GenerateCandidate"), ResponseTimeout("00:30:00")] Task<CandidateScore> GenerateCandidate(DiffusionItem item, CandidateRoute route, CancellationToken cancellation = default);

    /// <summary>
    /// Sends a kept candidate's latent to the decoder stage of <paramref name="route"/>, which stores it. A latent this
    /// silo no longer holds is sampled again from <paramref name="item"/> (its seed makes it the same latent).
    /// </summary>
    [Alias("DecodeCandidate"), ResponseTimeout("00:30:00")] Task<CandidateOutput> DecodeCandidate(DiffusionItem item, ItemRoute route, CancellationToken cancellation = default);

    /// <summary>Drops the latents of candidates that were not kept (by job and seed); best effort.</summary>
    [Alias("ReleaseCandidates"), Orleans.Concurrency.OneWay] Task ReleaseCandidates(string jobId, long[] seeds);

    /// <summary>
    /// <paramref name="requested"/> with every unset field taken from this stage's bundle defaults (its <c>t2i.sampler</c>
    /// when <paramref name="prompted"/>), validated and within the request limits (the grid's <c>SamplingRules</c>, run
    /// once when a job is submitted): throws an <see cref="ArgumentException"/> naming every bad field, or saying that
    /// the bundle is not of the request's kind (class-conditional or text-to-image). Reads the bundle file only; no model
    /// is loaded.
    /// </summary>
    [Alias("ResolveSampling")] Task<SamplingSpec> ResolveSampling(SamplingSpec requested, bool prompted = false);
}
