namespace RAE.Grid.Contracts;

/// <summary>
/// Where one item goes after the stage that receives it, as decided by its partition (the control plane): the
/// producing stage hands its latent straight to <see cref="DecoderKey"/>'s decoder stage, which writes the PNG to
/// <see cref="Output"/> in the store itself. So a latent never travels back through a job or partition grain.
/// </summary>
/// <param name="JobId">The job the item belongs to (stages share their batches fairly between jobs by it).</param>
/// <param name="ItemIndex">The item's index in its job (for messages).</param>
/// <param name="DecoderKey">Stage grain key (<c>bundle@silo</c>) of the decoder stage that decodes this item.</param>
/// <param name="Output">Store name the decoded PNG is written to.</param>
/// <param name="OutputSize">Resize the output to this side (pixels); null keeps the bundle's image size.</param>
/// <param name="Priority">The job's priority: stage queues serve higher priorities first (round robin between jobs within one).</param>
[GenerateSerializer, Immutable, Alias("rae.ItemRoute")]
public sealed record ItemRoute(
    [property: Id(0)] string JobId,
    [property: Id(1)] long ItemIndex,
    [property: Id(2)] string DecoderKey,
    [property: Id(3)] string Output,
    [property: Id(4)] int? OutputSize = null,
    [property: Id(5)] int Priority = 0);
