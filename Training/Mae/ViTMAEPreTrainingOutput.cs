using static TorchSharp.torch;

namespace RAE.Grid.Training.Mae;

/// <summary>Outputs of <see cref="ViTMAEForPreTraining.Forward"/>.</summary>
/// <param name="Loss">scalar: mean over the masked patches of the per-patch MSE.</param>
/// <param name="Logits">[B,N,p²·C] predicted patches, original token order.</param>
/// <param name="Mask">[B,N], 1 = masked (removed), 0 = kept.</param>
/// <param name="IdsRestore">[B,N] int64, the unshuffle permutation.</param>
public sealed record ViTMAEPreTrainingOutput(Tensor Loss, Tensor Logits, Tensor Mask, Tensor IdsRestore);
