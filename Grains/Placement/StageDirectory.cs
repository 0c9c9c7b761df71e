using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Which active silos host which stage and bundle, read from the cluster membership and each silo's metadata
/// ("rae.stages", "rae.bundles", "rae.max_batch", "rae.replicas", set by the silo host from its configuration). Consulted on every
/// dispatch, so a silo that joins takes work at once and one that leaves stops receiving it — no restart of the others.
/// </summary>
public sealed class StageDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public const string StagesKey = "rae.stages";
    public const string BundlesKey = "rae.bundles";
    public const string RandomBundlesKey = "rae.random_bundles";
    /// <summary>Each hosted stage's MaxBatch, "stage:n,stage:n" (see <see cref="FormatMaxBatch"/>).</summary>
    public const string MaxBatchKey = "rae.max_batch";
    /// <summary>Each hosted stage's replica count, "stage:n,stage:n" (see <see cref="FormatReplicas"/>); absent: one each.</summary>
    public const string ReplicasKey = "rae.replicas";

    /// <summary>Active silos that host <paramref name="stage"/> for <paramref name="bundleId"/>, in a stable order.</summary>
    public IReadOnlyList<SiloAddress> SilosHosting(string stage, string bundleId)
    {
        var result = Hosts(stage, bundleId).Select(h => h.Silo).ToList();
        result.Sort((a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        return result;
    }

    /// <summary>
    /// Every replica of <paramref name="stage"/> for <paramref name="bundleId"/> on the active silos, in a stable order (by
    /// silo, then replica): each is routed like a host of its own.
    /// </summary>
    public IReadOnlyList<StageHost> ReplicasHosting(string stage, string bundleId)
    {
        var result = Hosts(stage, bundleId)
            .SelectMany(h => Enumerable.Range(0, AdvertisedReplicas(h.Metadata, stage)).Select(r => new StageHost(h.Silo, r))).ToList();
        result.Sort((a, b) => string.CompareOrdinal(a.Silo.ToParsableString(), b.Silo.ToParsableString()) is var c and not 0 ? c : a.Replica.CompareTo(b.Replica));
        return result;
    }

    /// <summary>
    /// Items the cluster can run at once through <paramref name="stage"/> of <paramref name="bundleId"/>: the sum of the
    /// MaxBatch that each active silo hosting it advertises (a silo that advertises none counts as the default
    /// <see cref="BatchingOptions.MaxBatch"/>) times its replicas of the stage, each of which batches on its own. 0 when
    /// no silo hosts it. For sizing job windows to the cluster.
    /// </summary>
    public int BatchCapacity(string stage, string bundleId) =>
        Hosts(stage, bundleId).Sum(h => AdvertisedMaxBatch(h.Metadata, stage) * AdvertisedReplicas(h.Metadata, stage));

    /// <summary>The <see cref="ReplicasKey"/> value a silo with <paramref name="grid"/> advertises: its replicas per stage.</summary>
    public static string FormatReplicas(GridOptions grid) =>
        string.Join(",", grid.Stages.Select(s => $"{s}:{grid.ReplicaCount}"));

    /// <summary>Replicas of <paramref name="stage"/> in a silo's <paramref name="siloMetadata"/>; 1 when it advertises none (an older silo) or it is unreadable.</summary>
    public static int AdvertisedReplicas(IReadOnlyDictionary<string, string> siloMetadata, string stage) =>
        StageValue(siloMetadata, ReplicasKey, stage) ?? 1;

    /// <summary>The <see cref="MaxBatchKey"/> value a silo with <paramref name="grid"/> advertises: its stages' MaxBatch.</summary>
    public static string FormatMaxBatch(GridOptions grid) =>
        string.Join(",", grid.Stages.Select(s => $"{s}:{grid.BatchingFor(s).MaxBatch}"));

    /// <summary>
    /// The MaxBatch of <paramref name="stage"/> in a silo's <paramref name="siloMetadata"/>; the default
    /// <see cref="BatchingOptions.MaxBatch"/> when the silo does not advertise one (an older silo) or it is unreadable.
    /// </summary>
    public static int AdvertisedMaxBatch(IReadOnlyDictionary<string, string> siloMetadata, string stage) =>
        StageValue(siloMetadata, MaxBatchKey, stage) ?? new BatchingOptions().MaxBatch;

    /// <summary>The positive number given for <paramref name="stage"/> in a "stage:n,stage:n" metadata entry; null when none is.</summary>
    private static int? StageValue(IReadOnlyDictionary<string, string> siloMetadata, string key, string stage)
    {
        if (siloMetadata.TryGetValue(key, out var list))
            foreach (var entry in Split(list))
            {
                var colon = entry.LastIndexOf(':');
                if (colon > 0 && entry[..colon].Trim().Equals(stage, StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(entry[(colon + 1)..], out var n) && n > 0)
                    return n;
            }
        return null;
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
