namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// How <see cref="T2I.ScaleRaeT2IModel.Generate"/> integrates Scale-RAE's diffusion head; named in bundles and requests
/// by <see cref="SamplerNames.TextToImage"/>.
/// </summary>
public enum ScaleRaeSampler
{
    /// <summary>Euler on RAE's shifted float32 grid, no final step to 0 (recommended).</summary>
    Euler,

    /// <summary>
    /// The official <c>FullSequenceRectifiedFlowProjector.infer</c> + <c>p_sample_loop</c> with its quirks (first
    /// evaluation below t = 1, last step back towards noise); never guided, as the official call never guides.
    /// </summary>
    OfficialLoop,
}
