using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Turns a request into a job's plan, or one rejection listing every problem: validates it against the grid's limits,
/// checks that its stages are hosted, resolves its sampling settings and verifier against the bundle, claims its output
/// prefix, and plans its partitions (<see cref="JobPlanner"/>). Every remote question goes through <see cref="ISubmissionGrid"/>.
/// </summary>
public sealed class JobSubmission(GridOptions options, IOutputStore store, ISubmissionGrid grid)
{
    /// <summary>
    /// Whether starting job <paramref name="jobId"/> with <paramref name="request"/> repeats the start that made
    /// <paramref name="existing"/> (an idempotent retry): false for a new job; throws when the id holds a different request.
    /// </summary>
    public static bool Repeats(string jobId, JobGrainState existing, JobRequest request)
    {
        if (existing.State == JobState.Unknown) return false;
        if (existing.RequestFingerprint == JobPlanner.Fingerprint(request)) return true;
        throw new InvalidOperationException($"job id '{jobId}' is already used by a different request");
    }

    /// <summary>The stages a request's items pass, in order.</summary>
    public static string[] StagesOf(JobRequest request) => request.Kind switch
    {
        JobKind.Reconstruct => [StageNames.Encoder, StageNames.Decoder],
        JobKind.Generate => [.. request.Generate?.IsPrompted() == true ? [StageNames.Text] : Array.Empty<string>(), StageNames.Diffusion,
            .. request.Generate?.BestOf is not null ? [StageNames.Verifier] : Array.Empty<string>(), StageNames.Decoder],
        _ => [StageNames.Encoder],
    };

    /// <summary>
    /// The plan of job <paramref name="jobId"/> (its state, not yet queued), its plan files written to the store; an
    /// <see cref="ArgumentException"/> naming every problem found when the request cannot run. Each step runs only if
    /// those before found nothing wrong, so no prefix is claimed and nothing written for a request that is rejected.
    /// </summary>
    public async Task<JobGrainState> PlanAsync(string jobId, JobRequest request)
    {
        var pipeline = options.Pipeline;
        var problems = JobPlanner.Validate(request, pipeline, options.MaxImageBytes).ToList();
        problems.AddRange(options.Limits.Check(jobId, request));
        foreach (var stage in StagesOf(request))
            if (!await grid.HostsAsync(stage, request.BundleId))
                problems.Add($"no active silo hosts the {stage} stage for bundle '{request.BundleId}'");
        SamplingSpec? sampling = null;
        if (problems.Count == 0 && request is { Kind: JobKind.Generate, Generate: { } g })
        {
            try { sampling = await grid.ResolveSamplingAsync(request.BundleId, g.Sampling ?? SamplingSpec.BundleDefaults, g.IsPrompted()); }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        string? verifier = null;
        if (problems.Count == 0 && request.Generate?.BestOf is { } bestOf)
        {
            // Resolved once, so every candidate of the job is scored by the same verifier whatever the bundle's default is later.
            try { verifier = await grid.ResolveVerifierAsync(request.BundleId, bestOf.Verifier); }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        // The output prefix is this job's before anything is written under it (see OutputClaimsGrain).
        if (problems.Count == 0 && await grid.ClaimAsync(JobPlanner.OutputPrefixOf(jobId, request), jobId) is { } taken)
            problems.Add(taken);
        JobGrainState? plan = null;
        if (problems.Count == 0)
        {
            try
            {
                plan = await JobPlanner.PlanAsync(jobId, request, sampling, pipeline, store, CancellationToken.None);
                if (plan.Generate is { BestOf: { } b } planned) plan.Generate = planned with { BestOf = b with { Verifier = verifier } };
            }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        if (problems.Count > 0) throw Rejection(jobId, problems);
        return plan!;
    }

    /// <summary>
    /// One rejection naming every problem. The id as given may be what is wrong with it (a newline, say): its control
    /// characters show as '?', so it cannot forge lines in messages and logs.
    /// </summary>
    public static ArgumentException Rejection(string jobId, IEnumerable<string> problems) =>
        new($"job '{new string(jobId.Select(c => char.IsControl(c) ? '?' : c).ToArray())}' rejected: " + string.Join("; ", problems));
}
