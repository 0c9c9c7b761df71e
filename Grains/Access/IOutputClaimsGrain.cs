namespace RAE.Grid.Grains.Access;

/// <summary>
/// Which job owns which output prefix (one grain, key 0; silo-internal). A prefix belongs to the first job that claims
/// it; no other job may claim it, nor a prefix inside it or around it, so two jobs never write — or resume from — the
/// same names. The output reader asks it who owns a name.
/// </summary>
[Alias("rae.IOutputClaimsGrain")]
public interface IOutputClaimsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Claims <paramref name="prefix"/> for <paramref name="jobId"/> (submitted by <paramref name="owner"/>). Null when
    /// it is now this job's (free, or already its own); otherwise why not, naming the prefix and the job that holds it.
    /// </summary>
    [Alias("Claim")] Task<string?> Claim(string prefix, string jobId, string? owner);

    /// <summary>The claim whose prefix contains <paramref name="name"/> (a store name or a listing prefix), or null.</summary>
    [Alias("ClaimOf"), Orleans.Concurrency.ReadOnly] Task<OutputClaim?> ClaimOf(string name);
}
