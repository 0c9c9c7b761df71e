namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Stage grain keys: "&lt;bundle id&gt;@&lt;silo address&gt;" for a silo's first replica of a stage, and
/// "&lt;bundle id&gt;#&lt;replica&gt;@&lt;silo address&gt;" for its others (Grid:Devices, Grid:InstancesPerDevice). Replica 0
/// keeps the one-device form, so a one-device silo's stage grains are addressed as before.
/// </summary>
public static class StageKeys
{
    /// <summary>Separates the bundle id from the replica index; bundle ids may not contain it.</summary>
    public const char ReplicaSeparator = '#';

    /// <summary>Key of replica <paramref name="replica"/> of a stage of <paramref name="bundleId"/> on <paramref name="silo"/>.</summary>
    public static string For(string bundleId, SiloAddress silo, int replica = 0) =>
        replica == 0 ? $"{bundleId}@{silo.ToParsableString()}" : $"{bundleId}{ReplicaSeparator}{replica}@{silo.ToParsableString()}";

    /// <summary>Key of the stage replica <paramref name="host"/> of <paramref name="bundleId"/>.</summary>
    public static string For(string bundleId, StageHost host) => For(bundleId, host.Silo, host.Replica);

    /// <summary>Key of silo <paramref name="silo"/>'s own report grain (placed there like a stage grain).</summary>
    public static string ForSiloReport(SiloAddress silo) => For("report", silo);

    public static string Bundle(string key)
    {
        var head = key[..Index(key)];
        var hash = head.IndexOf(ReplicaSeparator);
        return hash < 0 ? head : head[..hash];
    }

    /// <summary>The replica index in <paramref name="key"/> (0 when it names none).</summary>
    public static int Replica(string key)
    {
        var head = key[..Index(key)];
        var hash = head.IndexOf(ReplicaSeparator);
        if (hash < 0) return 0;
        return int.TryParse(head[(hash + 1)..], out var r) && r > 0 ? r
            : throw new ArgumentException($"stage grain key '{key}' has a bad replica index (expected '<bundle>#<n>@<silo>', n > 0)");
    }

    public static SiloAddress Silo(string key) => SiloAddress.FromParsableString(key[(Index(key) + 1)..]);

    private static int Index(string key)
    {
        var i = key.IndexOf('@');
        if (i <= 0 || i == key.Length - 1) throw new ArgumentException($"stage grain key '{key}' is not '<bundle>@<silo>'");
        return i;
    }
}
