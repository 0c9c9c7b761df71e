using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The grid as a job's submission asks it (<see cref="JobSubmission"/>): which stages are hosted, the bundle's answers
/// (sampling settings, verifier) from a stage that holds it, and the claim of the output prefix. The job grain answers
/// with grain calls; a test can answer with fixed values.
/// </summary>
public interface ISubmissionGrid
{
    /// <summary>Whether any active silo hosts <paramref name="stage"/> for <paramref name="bundleId"/>.</summary>
    Task<bool> HostsAsync(string stage, string bundleId);

    /// <summary><paramref name="requested"/> completed from the bundle's defaults and validated (an <see cref="ArgumentException"/> names a bad field).</summary>
    Task<SamplingSpec> ResolveSamplingAsync(string bundleId, SamplingSpec requested, bool prompted);

    /// <summary>The bundle's verifier <paramref name="verifier"/> (null: its default) as name and version (an <see cref="ArgumentException"/> when unknown).</summary>
    Task<string> ResolveVerifierAsync(string bundleId, string? verifier);

    /// <summary>Claims <paramref name="prefix"/> for <paramref name="jobId"/>: null when it is now the job's, else why not.</summary>
    Task<string?> ClaimAsync(string prefix, string jobId);
}
