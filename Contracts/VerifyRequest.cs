namespace RAE.Grid.Contracts;

/// <summary>What a latent is scored against, and for whom.</summary>
/// <param name="Label">The class label it was generated for (-1 for text-only conditions).</param>
/// <param name="Verifier">The bundle's verifier name (null: the bundle's first).</param>
/// <param name="Text">The condition text (a prompt); null for a class-conditional item, whose class name the stage takes from the bundle.</param>
/// <param name="JobId">The job, for fair queueing (null: none).</param>
/// <param name="Priority">The job's priority.</param>
[GenerateSerializer, Immutable, Alias("rae.VerifyRequest")]
public sealed record VerifyRequest(
    [property: Id(0)] int Label,
    [property: Id(1)] string? Verifier,
    [property: Id(2)] string? Text = null,
    [property: Id(3)] string? JobId = null,
    [property: Id(4)] int Priority = 0);
