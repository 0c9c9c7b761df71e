using static TorchSharp.torch;

namespace RAE.Grid.Models.Llm;

/// <summary>
/// What <see cref="Qwen2Model.Forward"/> returns. <paramref name="LastHiddenState"/> is <c>norm</c>(last layer output)
/// [B, L, D]. <paramref name="HiddenStates"/> (when asked for) is HF's <c>output_hidden_states</c> tuple stacked,
/// [layers+1, B, L, D]: the embeddings, each layer's output except the last, then the <em>normed</em> final state —
/// the raw output of the last layer is not in HF's tuple; it is <paramref name="LastLayerPreNorm"/>.
/// </summary>
public sealed record Qwen2ModelOutput(Tensor LastHiddenState, Tensor? HiddenStates, Tensor LastLayerPreNorm);
