namespace RAE.Grid.Grains.Access;

/// <summary>
/// The authenticated client a call was made for, as the gateway check (<see cref="ClientAccessFilter"/>) put it in the
/// <c>RequestContext</c> — after removing whatever a client put under these keys itself — so it follows the call into the
/// grains the called grain calls. Null for calls that no client made (silo start-up, timers, tests inside a silo) and
/// for every call on an open grid: both see everything.
/// </summary>
public sealed record CallerIdentity(string Name, bool Admin)
{
    const string NameKey = "rae.caller";
    const string AdminKey = "rae.caller-admin";

    /// <summary>The caller of the current call, or null (see the type's summary).</summary>
    public static CallerIdentity? Current =>
        RequestContext.Get(NameKey) is string name ? new CallerIdentity(name, RequestContext.Get(AdminKey) is true) : null;

    /// <summary>Whether this caller may see and act on what <paramref name="owner"/> owns (null: no client owns it).</summary>
    public bool MayAccess(string? owner) => Admin || (owner is not null && string.Equals(owner, Name, StringComparison.Ordinal));

    /// <summary>Makes <paramref name="caller"/> the current caller (null: none), replacing anything set before.</summary>
    internal static void Set(CallerIdentity? caller)
    {
        RequestContext.Remove(NameKey);
        RequestContext.Remove(AdminKey);
        if (caller is null) return;
        RequestContext.Set(NameKey, caller.Name);
        RequestContext.Set(AdminKey, caller.Admin);
    }
}
