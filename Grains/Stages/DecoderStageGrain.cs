using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Stages;

/// <summary>Decoder stage of one bundle on one silo (thin, like <see cref="EncoderStageGrain"/>).</summary>
[Reentrant, StageSiloPlacement]
public sealed class DecoderStageGrain(StageRuntime runtime) : Grain, IDecoderStageGrain
{
    public Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default) =>
        runtime.DecodeAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), latent, outputSize, cancellation);
}
