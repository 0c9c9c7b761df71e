namespace RAE.Grid.Contracts;

/// <summary>What a latent is scored against, and for whom.</summary>
/// <param name="Condition">What it was generated for: its class (whose name the stage takes from the bundle) or its prompt.</param>
/// <param name="Verifier">The bundle's verifier name (null: the bundle's first).</param>
/// <param name="JobId">The job, for fair queueing (null: none).</param>
/// <param name="Priority">The job's priority.</param>
[GenerateSerializer, Immutable, Alias("rae.VerifyRequest")]
public sealed record VerifyRequest(
    // Ids 0 and 2 held a label with a -1 sentinel and a text; they stay unused.
    [property: Id(5)] ItemCondition Condition,
    [property: Id(1)] string? Verifier,
    [property: Id(3)] string? JobId = null,
    [property: Id(4)] int Priority = 0);
