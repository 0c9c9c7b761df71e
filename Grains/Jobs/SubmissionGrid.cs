using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The grid's answers to a job's submission (<see cref="ISubmissionGrid"/>) by grain calls: the stage directory, a
/// stage that holds the bundle (any silo hosting it, transient failures retried on the next host for up to
/// <see cref="ResolveDeadline"/>, since a client waits on the Start), and the output claims grain; and, as a job
/// finishes, the decoder stage that makes its contact sheet. Made for one call of a job grain, on its turn.
/// </summary>
public sealed class SubmissionGrid(StageDirectory directory, IGrainFactory grains, PipelineOptions p, string? owner) : ISubmissionGrid
{
    /// <summary>How long a call to any stage waits out transient failures (a busy or leaving silo).</summary>
    public static readonly TimeSpan ResolveDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Silo metadata reaches the local cache shortly after a silo joins: waits a little before saying no.</summary>
    public async Task<bool> HostsAsync(string stage, string bundleId)
    {
        for (int i = 0; i < 20; i++)
        {
            if (directory.SilosHosting(stage, bundleId).Count > 0) return true;
            await Task.Delay(250);
        }
        return false;
    }

    /// <summary>By a diffusion stage, which holds the bundle: a bad value fails the Start naming the field, before any item runs.</summary>
    public Task<SamplingSpec> ResolveSamplingAsync(string bundleId, SamplingSpec requested, bool prompted) =>
        CallAnyStageAsync(bundleId, StageNames.Diffusion, (IDiffusionStageGrain g) => g.ResolveSampling(requested, prompted));

    public Task<string> ResolveVerifierAsync(string bundleId, string? verifier) =>
        CallAnyStageAsync(bundleId, StageNames.Verifier, (IVerifierStageGrain v) => v.Resolve(verifier));

    public Task<string?> ClaimAsync(string prefix, string jobId) => grains.GetGrain<IOutputClaimsGrain>(0).Claim(prefix, jobId, owner);

    /// <summary>
    /// What makes <paramref name="job"/>'s contact sheet (for <see cref="JobFinisher"/>): any decoder stage of its bundle,
    /// given the sheet's name and images. Null — the job finishes without a sheet — for an encode job on a grid with no
    /// decoder stage for its bundle: nothing else there may hold pixels, and the images are the caller's own inputs.
    /// </summary>
    public Func<string, string[], Task<bool>>? ContactSheetMaker(JobGrainState job) =>
        job.Kind == JobKind.Encode && directory.SilosHosting(StageNames.Decoder, job.BundleId).Count == 0 ? null
            : (name, images) => CallAnyStageAsync(job.BundleId, StageNames.Decoder,
                (IDecoderStageGrain d) => d.WriteContactSheet(name, images, JobOutputs.ThumbnailSide));

    /// <summary>Calls any silo hosting <paramref name="stage"/> for <paramref name="bundleId"/>, retrying transient failures for up to <see cref="ResolveDeadline"/>.</summary>
    public async Task<T> CallAnyStageAsync<TGrain, T>(string bundleId, string stage, Func<TGrain, Task<T>> call) where TGrain : IGrainWithStringKey
    {
        var router = new StageRouter(directory, grains, bundleId);
        var since = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            try { return await router.CallAsync(stage, call); }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && since.Elapsed < ResolveDeadline)
            {
                await Task.Delay(RetryPolicy.Backoff(attempt, p.MaxRetryBackoff));
            }
        }
    }
}
