namespace RAE.Grid.Contracts;

/// <summary>The decoder stage (keyed like <see cref="IEncoderStageGrain"/>): a latent [C,h,w] → a PNG of the decoded image (optionally resized).</summary>
[Alias("rae.IDecoderStageGrain")]
public interface IDecoderStageGrain : IGrainWithStringKey
{
    [Alias("Decode"), ResponseTimeout("00:10:00")] Task<DecodedImage> Decode(TensorPayload latent, int? outputSize = null, CancellationToken cancellation = default);

    /// <summary>
    /// Decodes <paramref name="latent"/> and writes the PNG — tagged with the item's job and index (a PNG text chunk), so a
    /// resumed job accepts only its own outputs — to <paramref name="route"/>'s output itself; returns the stored object's receipt.
    /// </summary>
    [Alias("DecodeToStore"), ResponseTimeout("00:10:00")] Task<OutputReceipt> DecodeToStore(TensorPayload latent, ItemRoute route, CancellationToken cancellation = default);

    /// <summary>
    /// Writes a job's contact sheet to <paramref name="output"/>: the stored <paramref name="images"/> (store names, in
    /// order; missing or undecodable ones left out) as thumbnails of <paramref name="thumbnailSide"/> pixels on one PNG.
    /// False, writing nothing, when no image could be read. The job only names the images: pixels stay in the stages.
    /// </summary>
    [Alias("WriteContactSheet"), ResponseTimeout("00:10:00")] Task<bool> WriteContactSheet(string output, string[] images, int thumbnailSide);
}
