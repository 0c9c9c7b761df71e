using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders.Mae;

/// <summary>Outputs of <see cref="ViTMAEModel.Forward"/>.</summary>
/// <param name="LastHiddenStatePreNorm">the last layer's output before <c>layernorm</c>, [B,1+kept,D].</param>
/// <param name="LastHiddenState">HF last_hidden_state (layernorm with its affine).</param>
/// <param name="Embedding">the embedding step's results (tokens, mask, ids_restore, position table).</param>
public sealed record ViTMAEOutput(Tensor LastHiddenStatePreNorm, Tensor LastHiddenState, ViTMAEEmbeddingOutput Embedding);
