namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// <c>get_loss</c> of <c>scaling_experiment.py</c> for one candidate: the "Describe this image." question followed by
/// the bare prompt, one forward; the logits at the last P positions (those of the prompt tokens themselves).
/// </summary>
/// <param name="PerTokenLoss">CE(logits[:-1], prompt_ids[1:]): P − 1 values (the first prompt token is never scored).</param>
/// <param name="PromptLoss">Mean of <paramref name="PerTokenLoss"/>.</param>
/// <param name="PromptConf">Confidence over the P positions (higher = more peaked; the Prompt Confidence metric).</param>
public sealed record PromptConfidence(double[] PerTokenLoss, double PromptLoss, double PromptConf);
