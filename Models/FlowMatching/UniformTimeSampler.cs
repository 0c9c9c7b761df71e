using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>Official <c>uniform</c> time distribution: t = U·(t1 − t0) + t0, i.e. U·0.999 by default.</summary>
public sealed class UniformTimeSampler(double t0 = 0, double t1 = SamplingGrid.OfficialT1) : ITimeSampler
{
    public double T0 { get; } = t0;
    public double T1 { get; } = t1;

    public Tensor FromUniform(Tensor u)
    {
        using var scope = NewDisposeScope();
        return (u * (T1 - T0) + T0).MoveToOuterDisposeScope();
    }
}
