namespace RAE.Grid.Contracts;

/// <summary>A verifier's score of one latent (higher is better) and what produced it.</summary>
/// <param name="Score">The score (NaN ranks last).</param>
/// <param name="Verifier">The verifier's name and version, e.g. <c>probe (class-probe@1a2b3c4d)</c>.</param>
[GenerateSerializer, Immutable, Alias("rae.CandidateScore")]
public sealed record CandidateScore(
    [property: Id(0)] double Score,
    [property: Id(1)] string Verifier);
