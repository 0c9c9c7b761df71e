using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>The outputs of the SigLIP vision tower.</summary>
/// <param name="LastHiddenState">post_layernorm (with affine) of the last layer, [B,N,D].</param>
/// <param name="PoolerOutput">the attention-pooling head on it, [B,D]; null when the config has no head.</param>
public sealed record SiglipVisionOutput(Tensor LastHiddenState, Tensor? PoolerOutput);
