using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// Scale-RAE's Answer Logits latent verifier (<c>scaling_experiment.py</c>, <c>post_qa_mode='latent'</c>): the LLM reads
/// the candidate latent through <c>mm_projector</c>, is asked "Does this image align with the prompt: …?", answers
/// greedily, and <see cref="AnswerScore"/> scores the answer. The official ranking key is
/// (−score, −yes_logit, no_logit); <see cref="Score"/> folds it into one higher-is-better number,
/// <see cref="RankingValue"/>.
/// </summary>
public sealed class AnswerLogitsVerifier(string name, string version, ScaleRaeUnderstanding model,
    Func<string, long[]> questionIds, IReadOnlySet<long> yesIds, IReadOnlySet<long> noIds, long eosTokenId,
    int maxNewTokens = AnswerLogitsVerifier.OfficialMaxNewTokens) : ILatentVerifier
{
    /// <summary>The bundle's <c>verifiers[].type</c> of this verifier.</summary>
    public const string TypeName = "answer-logits";

    /// <summary>The script's <c>post_qa_max_new_tokens</c>.</summary>
    public const int OfficialMaxNewTokens = 512;

    /// <summary>Added to a "yes" answer's yes logit so every yes outranks every other answer (logits are far smaller).</summary>
    public const double YesOffset = 1000;

    /// <summary>The question of the official <c>build_prompt</c> (with the image) for <paramref name="prompt"/>.</summary>
    public static string Question(string prompt) => $"Does this image align with the prompt: {prompt}?";

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public string Version { get; } = version;

    /// <summary>Greedy answer and its score for one latent [C, H, W] and prompt.</summary>
    public (GreedyDecodeResult Answer, AnswerScore Score) Evaluate(Tensor latent, string prompt)
    {
        using var scope = NewDisposeScope();
        var (r, s) = EvaluateFeatures(model.ProjectLatents(latent.unsqueeze(0))[0], prompt);
        return (r with { StepLogits = r.StepLogits.MoveToOuterDisposeScope() }, s);
    }

    /// <summary>As <see cref="Evaluate"/> from already projected image features [N, hidden].</summary>
    public (GreedyDecodeResult Answer, AnswerScore Score) EvaluateFeatures(Tensor features, string prompt)
    {
        using var scope = NewDisposeScope();
        var r = model.GreedyDecodeWithLogits(questionIds(prompt), features, maxNewTokens, eosTokenId);
        r = r with { StepLogits = r.StepLogits.MoveToOuterDisposeScope() };
        return (r, AnswerScore.From(r, yesIds, noIds));
    }

    /// <summary>
    /// The key (−score, −yes_logit, no_logit) as one number: <see cref="YesOffset"/> + yes_logit for a "yes", else
    /// −no_logit (a non-yes answer's yes_logit is always 0). Exact only up to yes-answer ties in yes_logit, which the
    /// official key would then break by no_logit.
    /// </summary>
    public static double RankingValue(AnswerScore s) => s.Score == 1 ? YesOffset + s.YesLogit : 0.0 - s.NoLogit; // 0 − 0 is +0, not −0

    /// <summary>Scores each row on its own (one LLM call per candidate, as the official code); prompts from <see cref="LatentCondition.Text"/>.</summary>
    public Tensor Score(Tensor latents, IReadOnlyList<LatentCondition> conditions) =>
        ScoreRows(latents, conditions, (l, p) => RankingValue(Evaluate(l, p).Score));

    internal static Tensor ScoreRows(Tensor latents, IReadOnlyList<LatentCondition> conditions, Func<Tensor, string, double> score)
    {
        if (conditions.Count != latents.shape[0])
            throw new ArgumentException($"{conditions.Count} conditions for {latents.shape[0]} latents");
        using var _ = no_grad();
        var scores = new float[conditions.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            using var scope = NewDisposeScope();
            var prompt = conditions[i].Text ?? throw new ArgumentException($"row {i}: the LLM verifiers need the prompt text (LatentCondition.Text)");
            scores[i] = (float)score(latents[i], prompt);
        }
        return tensor(scores);
    }
}
