namespace RAE.Grid.Contracts;

/// <summary>
/// Best-of-N for a generate request (Scale-RAE's latent test-time scaling): every item samples <paramref name="N"/>
/// candidate latents, a verifier stage scores them in latent space, and only the best <paramref name="Keep"/> are decoded.
/// An item with best-of-N therefore yields <paramref name="Keep"/> outputs.
/// </summary>
/// <param name="N">Candidates per item (1..<c>Grid:Limits:MaxBestOf</c>).</param>
/// <param name="Keep">Candidates kept and decoded per item (1..N).</param>
/// <param name="Verifier">The bundle's verifier to score with (null: the bundle's first).</param>
/// <param name="KeepLatents">Also store every candidate's latent (winners and losers) as safetensors under <c>candidates/</c>, for analysis.</param>
[GenerateSerializer, Immutable, Alias("rae.BestOfSpec")]
public sealed record BestOfSpec(
    [property: Id(0)] int N,
    [property: Id(1)] int Keep,
    [property: Id(2)] string? Verifier = null,
    [property: Id(3)] bool KeepLatents = false);
