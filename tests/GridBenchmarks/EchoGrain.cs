using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.GridBenchmarks;

/// <summary>Returns its argument: the smallest grain call that carries a tensor both ways, for per-hop latency.</summary>
[Alias("bench.IEchoGrain")]
public interface IEchoGrain : IGrainWithStringKey
{
    [Alias("Echo")] Task<TensorPayload> Echo(TensorPayload payload);
}

/// <summary>
/// Keyed "echo@&lt;silo&gt;" and placed on that silo by the grid's own stage placement, exactly like a stage grain, so
/// the benchmark chooses whether a call crosses silos.
/// </summary>
[StageSiloPlacement]
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<TensorPayload> Echo(TensorPayload payload) => Task.FromResult(payload);
}
