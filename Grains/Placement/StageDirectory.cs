using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Which active silos host which stage and bundle, read from the cluster membership and each silo's metadata
/// ("rae.stages", "rae.bundles", "rae.max_batch", set by the silo host from its configuration). Consulted on every
/// dispatch, so a silo that joins takes work at once and one that leaves stops receiving it — no restart of the others.
/// </summary>
public sealed class StageDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public const string StagesKey = "rae.stages";
    public const string BundlesKey = "rae.bundles";
    public const string RandomBundlesKey = "rae.random_bundles";
    /// <summary>Each hosted stage's MaxBatch, "stage:n,stage:n" (see <see cref="FormatMaxBatch"/>).</summary>
    public const string MaxBatchKey = "rae.max_batch";

    /// <summary>Active silos that host <paramref name="stage"/> for <paramref name="bundleId"/>, in a stable order.</summary>
    public IReadOnlyList<SiloAddress> SilosHosting(string stage, string bundleId)
    {
        var result = Hosts(stage, bundleId).Select(h => h.Silo).ToList();
        result.Sort((a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        return result;
    }

    /// <summary>
    /// Items the cluster can run at once through <paramref name="stage"/> of <paramref name="bundleId"/>: the sum of the
    /// MaxBatch that each active silo hosting it advertises (a silo that advertises none counts as the default
    /// <see cref="BatchingOptions.MaxBatch"/>). 0 when no silo hosts it. For sizing job windows to the cluster.
    /// </summary>
    public int BatchCapacity(string stage, string bundleId) =>
        Hosts(stage, bundleId).Sum(h => AdvertisedMaxBatch(h.Metadata, stage));

    /// <summary>The <see cref="MaxBatchKey"/> value a silo with <paramref name="grid"/> advertises: its stages' MaxBatch.</summary>
    public static string FormatMaxBatch(GridOptions grid) =>
        string.Join(",", grid.Stages.Select(s => $"{s}:{grid.BatchingFor(s).MaxBatch}"));

    /// <summary>
    /// The MaxBatch of <paramref name="stage"/> in a silo's <paramref name="siloMetadata"/>; the default
    /// <see cref="BatchingOptions.MaxBatch"/> when the silo does not advertise one (an older silo) or it is unreadable.
    /// </summary>
    public static int AdvertisedMaxBatch(IReadOnlyDictionary<string, string> siloMetadata, string stage)
    {
        if (siloMetadata.TryGetValue(MaxBatchKey, out var list))
            foreach (var entry in Split(list))
            {
                var colon = entry.LastIndexOf(':');
                if (colon > 0 && entry[..colon].Trim().Equals(stage, StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(entry[(colon + 1)..], out var n) && n > 0)
                    return n;
            }
        return new BatchingOptions().MaxBatch;
    }

    /// <summary>Active silos hosting <paramref name="stage"/> for <paramref name="bundleId"/>, with their metadata, in membership order.</summary>
    private IEnumerable<(SiloAddress Silo, IReadOnlyDictionary<string, string> Metadata)> Hosts(string stage, string bundleId)
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active) continue;
            IReadOnlyDictionary<string, string> md;
            try { md = metadata.GetSiloMetadata(member.SiloAddress).Metadata; }
            catch (Exception) { continue; } // not cached yet: the next dispatch sees it
            if (!md.TryGetValue(StagesKey, out var stages) || !md.TryGetValue(BundlesKey, out var bundles)) continue;
            if (Split(stages).Contains(stage, StringComparer.OrdinalIgnoreCase) && Split(bundles).Contains(bundleId))
                yield return (member.SiloAddress, md);
        }
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
