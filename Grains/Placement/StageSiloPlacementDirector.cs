using Orleans.Runtime.Placement;

namespace RAE.Grid.Grains.Placement;

/// <summary>The director for <see cref="StageSiloPlacement"/>.</summary>
public sealed class StageSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        var silo = StageKeys.Silo(key);
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Contains(silo)) return Task.FromResult(silo);
        throw new SiloUnavailableException($"stage grain {target.GrainIdentity}: silo {silo} is not an active silo for this grain");
    }
}
