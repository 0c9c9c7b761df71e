using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Stages;

// Stage grains are thin: they own routing into the silo's StageRuntime, which owns the models and the batching.
// Reentrant, so many single-item calls can wait in the batcher at once; placed on the silo named in their key.

/// <summary>Encoder stage of one bundle on one silo.</summary>
[Reentrant, StageSiloPlacement]
public sealed class EncoderStageGrain(StageRuntime runtime, IOutputStore store) : Grain, IEncoderStageGrain
{
    public async Task<TensorPayload> Encode(ImageSource image, CancellationToken cancellation = default)
    {
        var bytes = image.Inline
                    ?? (image.Uri is { } uri ? await store.GetAsync(uri, cancellation) : null)
                    ?? throw new ItemRejectedException($"{image.Name}: no inline bytes and {(image.Uri is null ? "no URI" : $"nothing stored at '{image.Uri}'")}");
        return await runtime.EncodeAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), image.Name, bytes, cancellation);
    }
}

/// <summary>Decoder stage of one bundle on one silo.</summary>
[Reentrant, StageSiloPlacement]
public sealed class DecoderStageGrain(StageRuntime runtime) : Grain, IDecoderStageGrain
{
    public Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default) =>
        runtime.DecodeAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), latent, outputSize, cancellation);
}

/// <summary>Diffusion stage of one bundle on one silo: the whole ODE solve runs inside one call.</summary>
[Reentrant, StageSiloPlacement]
public sealed class DiffusionStageGrain(StageRuntime runtime) : Grain, IDiffusionStageGrain
{
    public Task<TensorPayload> Generate(DiffusionItem item, CancellationToken cancellation = default) =>
        runtime.GenerateAsync(StageKeys.Bundle(this.GetPrimaryKeyString()), item, cancellation);
}
