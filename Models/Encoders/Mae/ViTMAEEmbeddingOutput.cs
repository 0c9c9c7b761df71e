using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders.Mae;

/// <summary>The embedding step's results: the token sequence and the masking bookkeeping.</summary>
/// <param name="Embeddings">[B, 1+kept, D]: CLS + pos[0], then the kept patch tokens.</param>
/// <param name="Mask">[B,N], 0 = kept, 1 = removed, in the original token order.</param>
/// <param name="IdsRestore">[B,N] int64, the permutation that undoes the shuffle.</param>
/// <param name="PositionEmbeddings">[1, 1+N, D], the (interpolated) table that was added.</param>
public sealed record ViTMAEEmbeddingOutput(Tensor Embeddings, Tensor Mask, Tensor IdsRestore, Tensor PositionEmbeddings);
