namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Places a stage grain on the silo named in its key ("&lt;bundle&gt;@&lt;silo address&gt;"), so each hosting silo has its
/// own stage activation next to its loaded model, and callers choose which silo does the work. A key naming a silo that
/// is not active (it left) fails placement at once, and the caller retries on another silo.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("rae.StageSiloPlacement")]
public sealed class StageSiloPlacement : PlacementStrategy
{
    public static readonly StageSiloPlacement Instance = new();
}
