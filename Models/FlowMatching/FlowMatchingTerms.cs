using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>The terms of one training step: x_t, the target u_t, the prediction and the per-item loss [B].</summary>
public sealed record FlowMatchingTerms(Tensor Xt, Tensor Ut, Tensor Prediction, Tensor Loss);
