namespace RAE.Grid.Contracts;

/// <summary>
/// Where a best-of-N candidate goes after sampling: its latent is scored by the verifier stage <paramref name="VerifierKey"/>
/// (chosen by the partition, on the diffusion stage's own silo when that silo hosts one) and stays with the diffusion
/// stage until the partition has chosen the winners.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Item">The item (selection group) index in the job.</param>
/// <param name="Candidate">The candidate's index within its item (0..N-1).</param>
/// <param name="VerifierKey">Key of the verifier stage grain to score with.</param>
/// <param name="Verifier">The bundle's verifier name (null: the bundle's first).</param>
/// <param name="KeptLatent">Store name to also write the candidate's latent to (safetensors), or null.</param>
/// <param name="Priority">The job's priority (stage queues serve higher first).</param>
[GenerateSerializer, Immutable, Alias("rae.CandidateRoute")]
public sealed record CandidateRoute(
    [property: Id(0)] string JobId,
    [property: Id(1)] long Item,
    [property: Id(2)] int Candidate,
    [property: Id(3)] string VerifierKey,
    [property: Id(4)] string? Verifier,
    [property: Id(5)] string? KeptLatent = null,
    [property: Id(6)] int Priority = 0);
