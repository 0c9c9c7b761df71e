using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Turns captions into the token ids of the official templates (cached: the captions are a small closed set) and
/// those into the batched sequences of <see cref="T2ISequences"/>. Generation ids are
/// <see cref="ScaleRaePrompts.Generation"/> + <c>&lt;im_start&gt;</c>, as <see cref="TextToImage.GenerationIds"/> builds
/// them at inference; understanding ids are <see cref="ScaleRaePrompts.WithImage"/> of
/// <see cref="AnswerLogitsVerifier.Question"/>, as the Answer-Logits verifier asks, and the answer is "Yes" or "No"
/// then <c>&lt;|im_end|&gt;</c>.
/// </summary>
public sealed class T2IBatches(Qwen2Tokenizer tokenizer)
{
    readonly Dictionary<string, long[]> _generation = [], _question = [];
    readonly long _imageStart = tokenizer.SpecialId(ScaleRaePrompts.ImageStart);
    readonly long[] _yes = Answer(tokenizer, "Yes"), _no = Answer(tokenizer, "No");

    /// <summary>The generation ids of <paramref name="caption"/> (template, then <c>&lt;im_start&gt;</c>).</summary>
    public long[] GenerationIds(string caption)
    {
        if (!_generation.TryGetValue(caption, out var ids))
            _generation[caption] = ids = [.. tokenizer.Encode(ScaleRaePrompts.Generation(caption)).Select(x => (long)x), _imageStart];
        return ids;
    }

    /// <summary>The Answer-Logits question ids of <paramref name="caption"/>, with the image placeholder id.</summary>
    public long[] QuestionIds(string caption)
    {
        if (!_question.TryGetValue(caption, out var ids))
            _question[caption] = ids = LatentSplicing.TokenizeWithImage(tokenizer.Encode, ScaleRaePrompts.WithImage(AnswerLogitsVerifier.Question(caption)));
        return ids;
    }

    /// <summary>Generation inputs of <paramref name="captions"/> (see <see cref="T2ISequences.Generation"/>) and their ids.</summary>
    public (Tensor Embeds, Tensor Mask, long[][] Ids) Generation(ScaleRaeT2IModel model, IReadOnlyList<string> captions)
    {
        var ids = captions.Select(GenerationIds).ToArray();
        var (embeds, mask) = T2ISequences.Generation(model, ids);
        return (embeds, mask, ids);
    }

    /// <summary>Understanding inputs (see <see cref="T2ISequences.Understanding"/>), answer "Yes" where <paramref name="match"/>, else "No".</summary>
    public (Tensor Embeds, Tensor Mask, long[] LogitIndex, long[] Targets) Understanding(ScaleRaeT2IModel model,
        IReadOnlyList<string> captions, IReadOnlyList<bool> match, Tensor features) =>
        T2ISequences.Understanding(model, captions.Select(QuestionIds).ToArray(), match.Select(m => m ? _yes : _no).ToArray(), features);

    static long[] Answer(Qwen2Tokenizer tokenizer, string word) =>
        [.. tokenizer.Encode(word).Select(x => (long)x), tokenizer.SpecialId(Qwen2Tokenizer.ImEnd)];
}
