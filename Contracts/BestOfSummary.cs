namespace RAE.Grid.Contracts;

/// <summary>
/// The work of a best-of-N job so far, against what sampling and decoding all N candidates of every item would cost.
/// </summary>
/// <param name="N">Candidates per item.</param>
/// <param name="Keep">Candidates kept (decoded) per item.</param>
/// <param name="Verifier">The verifier's name.</param>
/// <param name="Items">Items (selection groups) in the job.</param>
/// <param name="CandidatesSampled">Diffusion solves run, re-samples included.</param>
/// <param name="VerifierCalls">Latents scored by the verifier stage.</param>
/// <param name="Resampled">Kept candidates sampled a second time because their latent was no longer held (a silo restarted, or the cache was full).</param>
/// <param name="Decodes">Outputs decoded and stored (winners only).</param>
/// <param name="DiffusionSteps">ODE steps run: solves × steps per solve.</param>
[GenerateSerializer, Immutable, Alias("rae.BestOfSummary")]
public sealed record BestOfSummary(
    [property: Id(0)] int N,
    [property: Id(1)] int Keep,
    [property: Id(2)] string? Verifier,
    [property: Id(3)] long Items,
    [property: Id(4)] long CandidatesSampled,
    [property: Id(5)] long VerifierCalls,
    [property: Id(6)] long Resampled,
    [property: Id(7)] long Decodes,
    [property: Id(8)] long DiffusionSteps)
{
    /// <summary>Decodes plain sampling of N per item would have run.</summary>
    public long PlainDecodes() => Items * N;

    /// <summary>Decodes not run because losers are never decoded.</summary>
    public long DecodesSaved() => Math.Max(0, PlainDecodes() - Decodes);

    /// <summary>One line for people: "best-of-16 keep 4 (probe): 64 candidates sampled, 64 scored, 16 decoded, 48 decodes saved".</summary>
    public override string ToString() =>
        $"best-of-{N} keep {Keep} ({Verifier}): {CandidatesSampled} candidates sampled ({DiffusionSteps} ODE steps, {Resampled} re-sampled), " +
        $"{VerifierCalls} scored in latent space, {Decodes} decoded of {PlainDecodes()} — {DecodesSaved()} decodes saved";
}
