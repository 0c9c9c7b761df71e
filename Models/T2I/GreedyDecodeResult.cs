using static TorchSharp.torch;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// What <c>greedy_decode_with_logits</c> returns for one prompt: the generated ids (the stop token kept), and per step
/// the selected (argmax) logit, the confidence −mean_v log(V·softmax(l)_v) and the full logits [vocab].
/// </summary>
/// <param name="Ids">Generated token ids, in order.</param>
/// <param name="SelectedLogits">The chosen token's logit at each step.</param>
/// <param name="Confidences">The step's confidence score (0 for a uniform distribution, larger when peaked).</param>
/// <param name="StepLogits">The last position's logits at each step, [steps, vocab] float32.</param>
public sealed record GreedyDecodeResult(long[] Ids, double[] SelectedLogits, double[] Confidences, Tensor StepLogits);
