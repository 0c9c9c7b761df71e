using static TorchSharp.torch;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// Scale-RAE's image-token splicing for understanding (<c>prepare_inputs_labels_for_multimodal</c>, non-XLA branch,
/// batch 1): the text ids are embedded and the projected image features replace the single
/// <see cref="ImageTokenIndex"/> id, so the sequence is len(ids) − 1 + N_image long.
/// </summary>
public static class LatentSplicing
{
    /// <summary>The <c>IMAGE_TOKEN_INDEX</c> placeholder id that <c>tokenizer_image_token</c> puts for <c>&lt;image&gt;</c>.</summary>
    public const long ImageTokenIndex = -200;

    /// <summary>The image placeholder text of the prompt templates.</summary>
    public const string ImagePlaceholder = "<image>";

    /// <summary>
    /// <c>mm_utils.tokenizer_image_token</c> for a tokenizer without a BOS (Qwen2): the text is split at
    /// <see cref="ImagePlaceholder"/>, each chunk encoded on its own, and the chunks joined by <see cref="ImageTokenIndex"/>.
    /// </summary>
    public static long[] TokenizeWithImage(Func<string, IReadOnlyList<int>> encode, string text)
    {
        var ids = new List<long>();
        var chunks = text.Split(ImagePlaceholder);
        for (var i = 0; i < chunks.Length; i++)
        {
            if (i > 0) ids.Add(ImageTokenIndex);
            ids.AddRange(encode(chunks[i]).Select(x => (long)x));
        }
        return ids.ToArray();
    }

    /// <summary>
    /// Embeds <paramref name="ids"/> [L] (exactly one <see cref="ImageTokenIndex"/>) with <paramref name="embedTokens"/>
    /// and inserts <paramref name="imageFeatures"/> [N, D] there: [1, L − 1 + N, D] in the features' dtype (float32).
    /// </summary>
    public static Tensor Splice(TorchSharp.Modules.Embedding embedTokens, long[] ids, Tensor imageFeatures)
    {
        var at = Array.IndexOf(ids, ImageTokenIndex);
        if (at < 0 || Array.IndexOf(ids, ImageTokenIndex, at + 1) >= 0)
            throw new ArgumentException($"the prompt ids must hold exactly one image token ({ImageTokenIndex})");
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var device = embedTokens.weight!.device;
        if (at > 0) parts.Add(embedTokens.forward(tensor(ids[..at], device: device)));
        parts.Add(imageFeatures.to(embedTokens.weight!.dtype, device));
        if (at < ids.Length - 1) parts.Add(embedTokens.forward(tensor(ids[(at + 1)..], device: device)));
        return cat(parts, 0).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The embeddings of the first forward under <paramref name="precision"/>: the official path returns the sequence
    /// cast to bfloat16 (torch's round-to-nearest-even; the model promotes back to float32 after layer 0's norm), the
    /// corrected path returns it unchanged.
    /// </summary>
    public static Tensor ForFirstForward(Tensor spliced, SplicePrecision precision) =>
        precision == SplicePrecision.OfficialBf16Cast ? spliced.to(ScalarType.BFloat16) : spliced.alias();
}
