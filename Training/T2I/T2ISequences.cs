using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Batched training sequences of Scale-RAE's two tasks, right-padded as its training tokenizer pads (positions arange,
/// the pads after every real token, so causality keeps them out of every real position). Generation: the templated
/// prompt, <c>&lt;im_start&gt;</c>, then the latent queries, exactly the inference sequence of
/// <see cref="ScaleRaeT2IModel.Condition"/>. Understanding: the with-image template with the projected latent spliced
/// in (<see cref="LatentSplicing.Splice"/>), followed by the answer tokens the LM loss is on.
/// </summary>
public static class T2ISequences
{
    /// <summary>
    /// Generation inputs for prompt ids <paramref name="ids"/> (each ending with <c>&lt;im_start&gt;</c>): embeddings
    /// [B, S, D] = embed(ids) ++ latent_queries ++ zero pads, and the 2-D attention mask [B, S].
    /// </summary>
    public static (Tensor Embeds, Tensor Mask) Generation(ScaleRaeT2IModel model, IReadOnlyList<long[]> ids)
    {
        using var scope = NewDisposeScope();
        var queries = model.LatentQueries;
        var embed = model.Llm.model.embed_tokens;
        var s = ids.Max(x => x.Length) + queries.shape[0];
        var rows = ids.Select(x => Padded(cat([embed.forward(tensor(x)), queries], 0), s)).ToArray();
        return (stack(rows, 0).MoveToOuterDisposeScope(), Mask(ids.Select(x => x.Length + queries.shape[0]).ToArray(), s).MoveToOuterDisposeScope());
    }

    /// <summary>The normed last hidden states [B, L, D] at each row's query positions (right after its prompt).</summary>
    public static Tensor QueryStates(Tensor last, IReadOnlyList<long[]> ids, long queries)
    {
        using var scope = NewDisposeScope();
        return stack(ids.Select((x, i) => last[i, TensorIndex.Slice(x.Length, x.Length + queries)]).ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Understanding inputs: each row's prompt ids (one <see cref="LatentSplicing.ImageTokenIndex"/>) with its image
    /// features [N, D] spliced in, then its answer ids. Returns the embeddings [B, S, D], the mask [B, S], and for every
    /// answer token the flat index (row·S + position) of the logits that predict it, with the token as target.
    /// </summary>
    public static (Tensor Embeds, Tensor Mask, long[] LogitIndex, long[] Targets) Understanding(ScaleRaeT2IModel model,
        IReadOnlyList<long[]> promptIds, IReadOnlyList<long[]> answerIds, Tensor features)
    {
        using var scope = NewDisposeScope();
        var spliced = promptIds.Select((p, i) => LatentSplicing.Splice(model.Llm.model.embed_tokens, [.. p, .. answerIds[i]], features[i])[0]).ToArray();
        var s = spliced.Max(x => x.shape[0]);
        var (index, targets) = (new List<long>(), new List<long>());
        for (var i = 0; i < spliced.Length; i++)
        {
            var answerStart = spliced[i].shape[0] - answerIds[i].Length;
            for (var k = 0; k < answerIds[i].Length; k++)
            {
                index.Add(i * s + answerStart + k - 1);
                targets.Add(answerIds[i][k]);
            }
        }
        var embeds = stack(spliced.Select(x => Padded(x, s)).ToArray(), 0);
        return (embeds.MoveToOuterDisposeScope(), Mask(spliced.Select(x => x.shape[0]).ToArray(), s).MoveToOuterDisposeScope(),
            index.ToArray(), targets.ToArray());
    }

    static Tensor Padded(Tensor rows, long length) =>
        rows.shape[0] == length ? rows : cat([rows, zeros(length - rows.shape[0], rows.shape[1], dtype: rows.dtype)], 0);

    static Tensor Mask(long[] lengths, long s) =>
        stack(lengths.Select(n => cat([ones(n, dtype: ScalarType.Int64), zeros(s - n, dtype: ScalarType.Int64)])).ToArray(), 0);
}
