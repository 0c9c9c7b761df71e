using static TorchSharp.torch;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>The outputs of the SigLIP text tower.</summary>
/// <param name="LastHiddenState">final_layer_norm of the last layer, [B,T,D].</param>
/// <param name="PoolerOutput">head(last_hidden_state[:, -1]), [B,projection_size].</param>
public sealed record SiglipTextOutput(Tensor LastHiddenState, Tensor PoolerOutput);
