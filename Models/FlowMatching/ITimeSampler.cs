using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// A training-time distribution on [t0, t1] (before the shift), drawn by transforming uniforms, so a given
/// uniform draw maps to the same t as in the official code.
/// </summary>
public interface ITimeSampler
{
    /// <summary>Maps uniforms U ∈ [0, 1] to times, elementwise.</summary>
    Tensor FromUniform(Tensor u);

    /// <summary>Draws <paramref name="n"/> times (float32, CPU) from <paramref name="generator"/>.</summary>
    Tensor Sample(long n, Generator? generator = null) => FromUniform(rand([n], generator: generator));
}
