using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Which active silos host which stage and bundle, read from the cluster membership and each silo's metadata
/// ("rae.stages", "rae.bundles", set by the silo host from its configuration). Consulted on every dispatch, so a silo
/// that joins takes work at once and one that leaves stops receiving it — no restart of the others.
/// </summary>
public sealed class StageDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public const string StagesKey = "rae.stages";
    public const string BundlesKey = "rae.bundles";
    public const string RandomBundlesKey = "rae.random_bundles";

    /// <summary>Active silos that host <paramref name="stage"/> for <paramref name="bundleId"/>, in a stable order.</summary>
    public IReadOnlyList<SiloAddress> SilosHosting(string stage, string bundleId)
    {
        var result = new List<SiloAddress>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            IReadOnlyDictionary<string, string> md;
            try { md = metadata.GetSiloMetadata(member.SiloAddress).Metadata; }
            catch (Exception) { continue; } // not cached yet: the next dispatch sees it
            if (!md.TryGetValue(StagesKey, out var stages) || !md.TryGetValue(BundlesKey, out var bundles)) continue;
            if (Split(stages).Contains(stage, StringComparer.OrdinalIgnoreCase) && Split(bundles).Contains(bundleId))
                result.Add(member.SiloAddress);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        return result;
    }

    /// <summary>Whether a silo hosting <paramref name="bundleId"/> reports that its weights are random (outputs must say so).</summary>
    public bool HasRandomWeights(string bundleId) =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
            .Any(m =>
            {
                try { return metadata.GetSiloMetadata(m.SiloAddress).Metadata.TryGetValue(RandomBundlesKey, out var r) && Split(r).Contains(bundleId); }
                catch (Exception) { return false; }
            });

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
