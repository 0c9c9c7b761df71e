namespace RAE.Grid.Contracts;

/// <summary>
/// The text stage of a text-to-image bundle (Scale-RAE): the bundle's LLM reads a templated prompt followed by its latent
/// queries, and the projected hidden states at the query positions are the diffusion head's per-token condition. Placed
/// by silo role <c>text</c>, keyed <c>bundle@silo</c>; concurrent prompts are batched, and a prompt's condition is kept
/// (bounded by <c>Grid:Pipeline:ConditionCacheBytes</c>), so the N candidates of a best-of-N item run the LLM once.
/// </summary>
[Alias("rae.ITextStageGrain")]
public interface ITextStageGrain : IGrainWithStringKey
{
    /// <summary>
    /// The condition tokens [L, z] (float32) of <paramref name="prompt"/>. A prompt the bundle cannot take (empty, or more
    /// tokens than its <c>t2i.max_prompt_tokens</c>) fails with an <see cref="ItemRejectedException"/> naming the limit.
    /// </summary>
    [Alias("Condition"), ResponseTimeout("00:10:00")]
    Task<TensorPayload> Condition(string prompt, string? jobId = null, int priority = 0, CancellationToken cancellation = default);
}
