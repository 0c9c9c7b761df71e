namespace RAE.Grid.Contracts;

/// <summary>The decoder stage (keyed like <see cref="IEncoderStageGrain"/>): a latent [C,h,w] → a PNG of the decoded image (optionally resized).</summary>
[Alias("rae.IDecoderStageGrain")]
public interface IDecoderStageGrain : IGrainWithStringKey
{
    [Alias("Decode"), ResponseTimeout("00:10:00")] Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default);
}
