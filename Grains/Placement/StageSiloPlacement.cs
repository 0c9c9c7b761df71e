using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

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

/// <summary>Marks a grain class as placed by <see cref="StageSiloPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class StageSiloPlacementAttribute() : PlacementAttribute(StageSiloPlacement.Instance);

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

/// <summary>Stage grain keys: "&lt;bundle id&gt;@&lt;silo address&gt;".</summary>
public static class StageKeys
{
    public static string For(string bundleId, SiloAddress silo) => $"{bundleId}@{silo.ToParsableString()}";

    public static string Bundle(string key) => key[..Index(key)];

    public static SiloAddress Silo(string key) => SiloAddress.FromParsableString(key[(Index(key) + 1)..]);

    private static int Index(string key)
    {
        var i = key.IndexOf('@');
        if (i <= 0 || i == key.Length - 1) throw new ArgumentException($"stage grain key '{key}' is not '<bundle>@<silo>'");
        return i;
    }
}
