using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>SigLIP image-text scores and the L2-normalized embeddings they come from.</summary>
/// <param name="ImageEmbeds">image embeddings / ‖·‖₂, [I,D].</param>
/// <param name="TextEmbeds">text embeddings / ‖·‖₂, [T,D].</param>
/// <param name="LogitsPerText">[T,I] = te·ieᵀ·exp(logit_scale) + logit_bias.</param>
/// <param name="LogitsPerImage">its transpose, [I,T].</param>
public sealed record SiglipLogits(Tensor ImageEmbeds, Tensor TextEmbeds, Tensor LogitsPerText, Tensor LogitsPerImage);
