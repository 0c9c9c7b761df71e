namespace RAE.Grid.Grains.Placement;

/// <summary>Stage grain keys: "&lt;bundle id&gt;@&lt;silo address&gt;".</summary>
public static class StageKeys
{
    public static string For(string bundleId, SiloAddress silo) => $"{bundleId}@{silo.ToParsableString()}";

    /// <summary>Key of silo <paramref name="silo"/>'s own report grain (placed there like a stage grain).</summary>
    public static string ForSiloReport(SiloAddress silo) => For("report", silo);

    public static string Bundle(string key) => key[..Index(key)];

    public static SiloAddress Silo(string key) => SiloAddress.FromParsableString(key[(Index(key) + 1)..]);

    private static int Index(string key)
    {
        var i = key.IndexOf('@');
        if (i <= 0 || i == key.Length - 1) throw new ArgumentException($"stage grain key '{key}' is not '<bundle>@<silo>'");
        return i;
    }
}
