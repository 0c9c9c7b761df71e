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
}
