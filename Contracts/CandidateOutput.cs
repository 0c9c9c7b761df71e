namespace RAE.Grid.Contracts;

/// <summary>A kept candidate decoded and stored: the store's receipt, and whether its latent had to be sampled again.</summary>
/// <param name="Receipt">The stored output's receipt.</param>
/// <param name="Resampled">The stage no longer held the scored latent (its silo restarted, or it was evicted), so it
/// sampled it again from the candidate's seed — the same latent, at the cost of one more diffusion solve.</param>
[GenerateSerializer, Immutable, Alias("rae.CandidateOutput")]
public sealed record CandidateOutput(
    [property: Id(0)] OutputReceipt Receipt,
    [property: Id(1)] bool Resampled);
