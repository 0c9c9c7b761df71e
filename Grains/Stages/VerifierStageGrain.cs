using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The verifier stage of one bundle on one silo (<c>bundle@silo</c>, placed on that silo): scores candidate latents
/// with the bundle's loaded verifier, batching concurrent calls (<see cref="StageRuntime.ScoreAsync"/>).
/// </summary>
[Reentrant, StageSiloPlacement]
public sealed class VerifierStageGrain(StageRuntime runtime) : Grain, IVerifierStageGrain
{
    string Bundle => StageKeys.Bundle(this.GetPrimaryKeyString());
    int Replica => StageKeys.Replica(this.GetPrimaryKeyString());

    public Task<string> Resolve(string? verifier) => runtime.ResolveVerifierAsync(Bundle, Replica, verifier);

    public Task<CandidateScore> Score(TensorPayload latent, VerifyRequest request, CancellationToken cancellation = default) =>
        runtime.ScoreAsync(Bundle, Replica, latent, request, cancellation);
}
