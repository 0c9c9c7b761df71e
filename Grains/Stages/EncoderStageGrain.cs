using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Encoder stage of one bundle on one silo. Stage grains are thin: they route into the silo's
/// <see cref="StageRuntime"/>, which owns the models and the batching. Reentrant, so many single-item calls can wait in
/// the batcher at once; placed on the silo named in their key.
/// </summary>
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
