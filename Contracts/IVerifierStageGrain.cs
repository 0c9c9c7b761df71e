namespace RAE.Grid.Contracts;

/// <summary>
/// The verifier stage: a silo's loaded latent verifier (placed by silo role <c>verifier</c>, keyed <c>bundle@silo</c>),
/// scoring latents without decoding them. Calls are single latents; the stage batches them like every other stage.
/// </summary>
[Alias("rae.IVerifierStageGrain")]
public interface IVerifierStageGrain : IGrainWithStringKey
{
    /// <summary>Scores one latent (normalized, as the diffusion stage generates it) against its condition.</summary>
    /// <summary>
    /// The name of the bundle's verifier <paramref name="verifier"/> (null: its default), loaded and ready; an
    /// <see cref="ArgumentException"/> naming the field when the bundle has no such verifier.
    /// </summary>
    [Alias("Resolve"), ResponseTimeout("00:05:00")] Task<string> Resolve(string? verifier);

    [Alias("Score"), ResponseTimeout("00:10:00")] Task<CandidateScore> Score(TensorPayload latent, VerifyRequest request, CancellationToken cancellation = default);
}
