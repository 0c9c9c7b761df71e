namespace RAE.Grid.Models.T2I;

/// <summary>
/// How the verifier's spliced prompt (text embeddings + projected image features) enters the LLM.
/// </summary>
public enum SplicePrecision
{
    /// <summary>
    /// The official behaviour (<c>prepare_inputs_labels_for_multimodal</c>): the whole spliced sequence is cast to
    /// bfloat16 even for a float32 model, so layer 0's RMSNorm also rounds its normalized value to bf16 on the first
    /// forward of each call; later greedy steps see <c>cat(bf16, fp32)</c> = float32 (bf16-rounded values, no norm rounding).
    /// </summary>
    OfficialBf16Cast,

    /// <summary>The corrected path: no bf16 rounding anywhere (the golden case's <c>out.nocast_*</c>).</summary>
    NoCast,
}
