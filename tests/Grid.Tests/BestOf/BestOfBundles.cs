namespace RAE.Grid.Grid.Tests.BestOf;

/// <summary>The bundle best-of-N grid tests run on, and the silo configuration that registers it.</summary>
public static class BestOfBundles
{
    /// <summary>Its id in the silos' bundle registry.</summary>
    public const string Id = "tiny";

    /// <summary><paramref name="extra"/> plus the configuration every best-of-N test silo needs.</summary>
    public static Dictionary<string, string?> Config(Dictionary<string, string?> extra)
    {
        extra["Grid:StandIn:verifier"] = "0";
        return extra;
    }
}
