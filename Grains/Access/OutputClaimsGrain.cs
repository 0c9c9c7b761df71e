using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Access;

/// <summary>
/// The output claims (see <see cref="IOutputClaimsGrain"/>). Not reentrant for claims, so check-and-claim is atomic;
/// lookups are read-only and interleave. A sorted view of the prefixes finds claims inside a prefix with one range.
/// </summary>
public sealed class OutputClaimsGrain([PersistentState("claims", GridStorage.JobStore)] IPersistentState<OutputClaimsState> state)
    : Grain, IOutputClaimsGrain
{
    private SortedSet<string>? _sorted;

    SortedSet<string> Sorted => _sorted ??= new SortedSet<string>(state.State.Claims.Keys, StringComparer.Ordinal);

    public async Task<string?> Claim(string prefix, string jobId, string? owner)
    {
        var p = Normalise(prefix);
        var claims = state.State.Claims;
        if (claims.TryGetValue(p, out var held))
            return held.JobId == jobId ? null : Taken(p, held);
        foreach (var ancestor in Ancestors(p))
            if (claims.TryGetValue(ancestor, out var outer)) return Taken(p, outer);
        // Prefixes inside p sort between "p/" and "p0" ('0' follows '/').
        var inner = Sorted.GetViewBetween(p + "/", p + "0").FirstOrDefault(k => k.StartsWith(p + "/", StringComparison.Ordinal));
        if (inner is not null) return Taken(p, claims[inner]);
        claims[p] = new OutputClaim(p, jobId, owner);
        Sorted.Add(p);
        await state.WriteStateAsync();
        return null;
    }

    public Task<OutputClaim?> ClaimOf(string name)
    {
        var claims = state.State.Claims;
        foreach (var ancestor in Ancestors(name))
            if (claims.TryGetValue(ancestor, out var claim)) return Task.FromResult<OutputClaim?>(claim);
        return Task.FromResult<OutputClaim?>(null);
    }

    static string Taken(string prefix, OutputClaim held) =>
        held.Prefix == prefix
            ? $"output prefix '{prefix}' belongs to job '{held.JobId}'"
            : $"output prefix '{prefix}' overlaps '{held.Prefix}', which belongs to job '{held.JobId}'";

    /// <summary>A prefix as claimed: without trailing '/'.</summary>
    public static string Normalise(string prefix) => prefix.TrimEnd('/');

    /// <summary>The proper ancestors of a name or prefix, shortest first: "a/b/c" → "a", "a/b"; "a/b/" → "a", "a/b".</summary>
    public static IEnumerable<string> Ancestors(string name)
    {
        for (int i = name.IndexOf('/'); i > 0; i = name.IndexOf('/', i + 1))
            yield return name[..i];
    }
}
