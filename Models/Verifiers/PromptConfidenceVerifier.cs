using RAE.Grid.Models.T2I;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// Scale-RAE's Prompt Confidence latent verifier (<c>get_loss</c>): after "Describe this image." the LLM reads the bare
/// prompt; the confidence of its logits at the prompt positions is the score (ranking key −prompt_conf: higher is
/// better, so <see cref="Score"/> is prompt_conf itself). Also the prompt loss and, for a generation prompt,
/// the image confidence.
/// </summary>
public sealed class PromptConfidenceVerifier(string name, string version, ScaleRaeUnderstanding model,
    Func<string, long[]> questionIds, Func<string, long[]> promptIds) : ILatentVerifier
{
    /// <summary>The bundle's <c>verifiers[].type</c> of this verifier.</summary>
    public const string TypeName = "prompt-confidence";

    /// <summary>The question of the official <c>get_loss</c> prompt (with the image).</summary>
    public const string Question = "Describe this image.";

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public string Version { get; } = version;

    /// <summary>Prompt loss and confidence for one latent [C, H, W]; <paramref name="refLogits"/> gets the last P logits [P, V].</summary>
    public PromptConfidence Evaluate(Tensor latent, string prompt, out Tensor refLogits)
    {
        using var scope = NewDisposeScope();
        var r = EvaluateFeatures(model.ProjectLatents(latent.unsqueeze(0))[0], prompt, out refLogits);
        refLogits.MoveToOuterDisposeScope();
        return r;
    }

    /// <summary>As <see cref="Evaluate"/> from already projected image features [N, hidden].</summary>
    public PromptConfidence EvaluateFeatures(Tensor features, string prompt, out Tensor refLogits)
    {
        using var scope = NewDisposeScope();
        var p = promptIds(prompt);
        if (p.Length == 0) throw new ArgumentException("prompt: no tokens to score", nameof(prompt));
        var ids = questionIds(prompt).Concat(p).ToArray();
        var logits = model.PromptLogits(ids, features);
        var last = logits[^p.Length..];
        var ce = functional.cross_entropy(last[..^1].to(ScalarType.Float64), tensor(p[1..], device: last.device), reduction: Reduction.None);
        var perToken = ce.data<double>().ToArray();
        refLogits = last.MoveToOuterDisposeScope();
        // A one-token prompt has no loss term (torch's mean of nothing is NaN); its confidence is still defined.
        return new PromptConfidence(perToken, perToken.Length > 0 ? perToken.Average() : double.NaN, ScaleRaeUnderstanding.Confidence(last));
    }

    /// <summary>
    /// The image confidence of image features [N, hidden]: the confidence of the logits at the image positions of <paramref name="genIds"/> (the
    /// generation prompt followed by <c>&lt;im_start&gt;&lt;image&gt;&lt;im_end&gt;</c>) — the official slice
    /// <c>[len(prompt) + len(output_ids) : -1]</c> when the generation emitted only <c>&lt;im_start&gt;</c>.
    /// </summary>
    public double ImageConfidence(Tensor features, long[] genIds)
    {
        using var scope = NewDisposeScope();
        var logits = model.PromptLogits(genIds, features);
        var at = Array.IndexOf(genIds, LatentSplicing.ImageTokenIndex);
        return ScaleRaeUnderstanding.Confidence(logits[at..(int)(at + features.shape[0])]);
    }

    /// <summary>Scores each row on its own with prompt_conf; prompts from <see cref="LatentCondition.Text"/>.</summary>
    public Tensor Score(Tensor latents, IReadOnlyList<LatentCondition> conditions) =>
        AnswerLogitsVerifier.ScoreRows(latents, conditions, (l, p) => Evaluate(l, p, out _).PromptConf);
}
