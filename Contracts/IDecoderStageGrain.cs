namespace RAE.Grid.Contracts;

/// <summary>The decoder stage (keyed like <see cref="IEncoderStageGrain"/>): a latent [C,h,w] → a PNG of the decoded image (optionally resized).</summary>
[Alias("rae.IDecoderStageGrain")]
public interface IDecoderStageGrain : IGrainWithStringKey
{
    [Alias("Decode"), ResponseTimeout("00:10:00")] Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default);

    /// <summary>Decodes <paramref name="latent"/> and writes the PNG to <paramref name="route"/>'s output itself; returns its size in bytes.</summary>
    [Alias("DecodeToStore"), ResponseTimeout("00:10:00")] Task<long> DecodeToStore(TensorPayload latent, ItemRoute route, CancellationToken cancellation = default);
}
