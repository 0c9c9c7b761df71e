using Orleans.Placement;

namespace RAE.Grid.Grains.Placement;

/// <summary>Marks a grain class as placed by <see cref="StageSiloPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class StageSiloPlacementAttribute() : PlacementAttribute(StageSiloPlacement.Instance);
