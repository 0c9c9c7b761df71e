namespace RAE.Grid.Contracts;

// Long response timeouts: a CPU silo running a full-size model can take minutes per batch; a timeout is an unknown
// outcome, while a full queue is rejected at once (StageBusyException).

/// <summary>
/// The encoder stage. Stage grains are keyed "&lt;bundle id&gt;@&lt;silo&gt;": one activation per bundle per hosting silo,
/// placed on that silo, owning the model loaded once on that silo's device. Calls are single items; the stage batches
/// concurrent items into one forward pass (flush at max batch or max wait) off the Orleans scheduler.
/// </summary>
[Alias("rae.IEncoderStageGrain")]
public interface IEncoderStageGrain : IGrainWithStringKey
{
    /// <summary>An encoded image (PNG/JPEG/...) → its normalized latent [C,h,w] (F32).</summary>
    [Alias("Encode"), ResponseTimeout("00:10:00")] Task<TensorPayload> Encode(ImageSource image, CancellationToken cancellation = default);

    /// <summary>
    /// Encodes <paramref name="image"/> and hands the latent to the decoder stage <paramref name="route"/> names, which
    /// writes the PNG to the store; returns the stored PNG's receipt. The latent goes stage to stage, zero-copy when both
    /// stages share a silo.
    /// </summary>
    [Alias("EncodeRouted"), ResponseTimeout("00:10:00")] Task<OutputReceipt> EncodeRouted(ImageSource image, ItemRoute route, CancellationToken cancellation = default);

    /// <summary>
    /// Encodes every image of <paramref name="shard"/> and writes the safetensors shard of those that encoded (its
    /// metadata names the job and the items it holds); returns per image null when it is in the shard, else why not (the
    /// rest of the shard goes on), and the shard's receipt. Retryable failures (a busy or leaving silo) fail the whole
    /// call, so the caller retries the shard.
    /// </summary>
    [Alias("EncodeShard"), ResponseTimeout("00:30:00")] Task<ShardResult> EncodeShard(ShardRequest shard, CancellationToken cancellation = default);
}
