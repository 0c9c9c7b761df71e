using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The pipeline grain of one job. It persists its plan, moves items through the stages with a bounded window (spreading
/// them over every silo that hosts each stage), writes each output under its deterministic name, checkpoints per-item
/// state every few items, and on activation resumes an unfinished job: finished items are skipped, and an item whose
/// output already exists in the store is counted done without being redone. A reminder re-activates it if its silo dies.
/// Reentrant so status calls interleave with the work; all state changes happen on the grain's own turns.
/// </summary>
[Reentrant]
public sealed partial class JobGrain(
    [PersistentState("job", GridStorage.JobStore)] IPersistentState<JobGrainState> state,
    IOutputStore store, StageDirectory directory, IOptions<GridOptions> options, ILogger<JobGrain> log)
    : Grain, IJobGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private StageRouter? _router;
    private CancellationTokenSource _cancel = new();
    private Task? _processing;
    private int _sinceCheckpoint;
    private int _inFlight;
    private bool _finishing;

    JobGrainState S => state.State;
    PipelineOptions P => options.Value.Pipeline;
    /// <summary>Stage routing for this job's bundle (set by Start; after a restart, made from the persisted plan).</summary>
    StageRouter Router => _router ??= new StageRouter(directory, GrainFactory, S.BundleId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S is { State: JobState.Running, Kind: JobKind.Generate, Generate: null })
        {
            // Saved before generate settings were one object (state keys 9-16): its settings cannot be recovered exactly.
            S.State = JobState.Failed;
            S.Message = "this generate job's state was saved by an older RAE.Grid whose settings format is no longer read; submit it again";
            S.Finished = DateTimeOffset.UtcNow;
            await WriteStateAsync();
            await GrainFactory.GetGrain<IJobIndexGrain>(0).MarkFinished(S.JobId);
            return;
        }
        if (S.State == JobState.Running)
        {
            log.LogInformation("Job {Job} resumes: {Done}/{Total} items already finished", S.JobId,
                S.Items.Count(i => i.Phase != ItemPhase.Pending), S.Items.Count);
            StartProcessing();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stop the item loop first: it is not a request, so deactivation does not wait for it, and left alone it would go
        // on calling stages and writing state after this activation is gone (while the next one resumes the job).
        _cancel.Cancel();
        if (_processing is { IsCompleted: false } processing)
            try { await processing.WaitAsync(cancellationToken); } catch (OperationCanceledException) { }
        // Keep what finished: a restart or another silo resumes from here.
        if (S.State != JobState.Unknown) await WriteStateAsync();
    }

    public async Task<JobStatus> Start(JobRequest request)
    {
        var jobId = this.GetPrimaryKeyString();
        if (S.State != JobState.Unknown)
        {
            if (S.RequestFingerprint == JobPlanner.Fingerprint(request)) return Status();
            throw new InvalidOperationException($"job id '{jobId}' is already used by a different request");
        }
        _router = new StageRouter(directory, GrainFactory, request.BundleId);
        var problems = JobPlanner.Validate(request, P, options.Value.MaxImageBytes).ToList();
        foreach (var stage in StagesOf(request.Kind))
            if (!await AnySiloHostsAsync(stage, request.BundleId))
                problems.Add($"no active silo hosts the {stage} stage for bundle '{request.BundleId}'");
        SamplingSpec? sampling = null;
        if (problems.Count == 0 && request is { Kind: JobKind.Generate, Generate: { } g })
        {
            try { sampling = await ResolveSamplingAsync(g.Sampling ?? SamplingSpec.BundleDefaults); }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        if (problems.Count > 0) throw new ArgumentException($"job '{jobId}' rejected: " + string.Join("; ", problems));

        state.State = await JobPlanner.PlanAsync(jobId, request, sampling, store, CancellationToken.None);
        S.RandomWeights = directory.HasRandomWeights(request.BundleId);
        await WriteStateAsync();
        await GrainFactory.GetGrain<IJobIndexGrain>(0).Add(jobId);
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        log.LogInformation("Job {Job}: {Kind} of {Count} items with bundle {Bundle} → {Prefix}", jobId, S.Kind, S.Items.Count, S.BundleId, S.OutputPrefix);
        StartProcessing();
        return Status();
    }

    /// <summary>
    /// The job's sampling settings completed from the bundle's defaults and validated, by a diffusion stage (which holds
    /// the bundle): a bad value fails the Start naming the field, before any item runs. Retryable failures (a busy or
    /// leaving silo) are retried on the next host.
    /// </summary>
    private async Task<SamplingSpec> ResolveSamplingAsync(SamplingSpec requested)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await Router.CallAsync(StageNames.Diffusion, (IDiffusionStageGrain g) => g.ResolveSampling(requested)); }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && attempt < P.MaxAttempts)
            {
                await Task.Delay(RetryPolicy.Backoff(attempt));
            }
        }
    }

    /// <summary>Silo metadata reaches the local cache shortly after a silo joins: wait a little before saying no.</summary>
    private async Task<bool> AnySiloHostsAsync(string stage, string bundleId)
    {
        for (int i = 0; i < 20; i++)
        {
            if (directory.SilosHosting(stage, bundleId).Count > 0) return true;
            await Task.Delay(250);
        }
        return false;
    }

    public Task<JobStatus> GetStatus() => Task.FromResult(Status());

    public async Task<JobStatus> Cancel()
    {
        if (S.State != JobState.Running || _finishing) return Status();
        _finishing = true;
        try
        {
            _cancel.Cancel();
            // Let in-flight items settle first (their calls are cancelled), so an output that still lands counts as done
            // and none changes after the job reports Cancelled.
            if (_processing is { IsCompleted: false } processing) await processing;
            foreach (var item in S.Items.Where(i => i.Phase == ItemPhase.Pending)) item.Phase = ItemPhase.Cancelled;
            await FinishBookkeepingAsync(JobState.Cancelled);
        }
        finally { _finishing = false; }
        return Status();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.State == JobState.Running) StartProcessing();
        return Task.CompletedTask;
    }

    private static string[] StagesOf(JobKind kind) => kind switch
    {
        JobKind.Reconstruct => [StageNames.Encoder, StageNames.Decoder],
        JobKind.Generate => [StageNames.Diffusion, StageNames.Decoder],
        _ => [StageNames.Encoder],
    };

    private void StartProcessing()
    {
        if (_processing is { IsCompleted: false }) return;
        if (_cancel.IsCancellationRequested) _cancel = new CancellationTokenSource();
        _processing = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            if (S.Kind == JobKind.Encode) await RunEncodeAsync(_cancel.Token);
            else await RunItemsAsync(_cancel.Token);
            if (S.State == JobState.Running && S.Items.All(i => i.Phase != ItemPhase.Pending)) await FinishAsync();
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested) { }
        catch (Exception e)
        {
            // The job stays Running; the reminder or the next activation resumes it from the last checkpoint.
            log.LogError(e, "Job {Job} paused by an unexpected error; it will resume", S.JobId);
            await WriteStateAsync();
        }
    }

    /// <summary>Runs pending items through the window: at most MaxInFlightItems at once.</summary>
    private Task RunItemsAsync(CancellationToken ct) =>
        WindowedRun.RunAsync(S.Items.Where(i => i.Phase == ItemPhase.Pending).ToList(), P.MaxInFlightItems, item => ProcessItemAsync(item, ct), ct);

    private async Task ProcessItemAsync(JobItem item, CancellationToken ct)
    {
        if (await store.ExistsAsync(item.Output!, ct))
        {
            // Written before a restart whose checkpoint did not record it: done, not redone.
            item.Phase = ItemPhase.Done;
            await CheckpointAsync();
            return;
        }
        var sw = Stopwatch.StartNew();
        _inFlight++;
        try
        {
        await WithRetriesAsync(item, async () =>
        {
            var latent = S.Generate is { } g
                ? await Router.CallAsync(StageNames.Diffusion, (IDiffusionStageGrain stage) => stage.Generate(
                    new DiffusionItem(item.Label, g.Seed, item.Index, g.Sampling!), ct))
                : await Router.CallAsync(StageNames.Encoder, (IEncoderStageGrain stage) => stage.Encode(new ImageSource(item.Input, null, item.Source), ct));
            latent.EnsureWithin(options.Value.MaxPayloadBytes, $"latent of item {item.Index}");
            var image = await Router.CallAsync(StageNames.Decoder, (IDecoderStageGrain stage) => stage.Decode(latent, S.Generate?.OutputSize, ct));
            await store.PutAsync(item.Output!, image.Png, "image/png", ct);
        }, ct);
        }
        finally { _inFlight--; }
        item.Seconds = sw.Elapsed.TotalSeconds;
        await CheckpointAsync();
    }

    /// <summary>Runs <paramref name="work"/> for an item, retrying retryable failures with backoff on the next silo.</summary>
    private async Task<bool> WithRetriesAsync(JobItem item, Func<Task> work, CancellationToken ct)
    {
        while (true)
        {
            item.Attempts++;
            try
            {
                await work();
                item.Phase = ItemPhase.Done;
                item.Error = null;
                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && item.Attempts < P.MaxAttempts)
            {
                log.LogWarning("Job {Job} item {Index} attempt {Attempt} failed ({Error}); retrying", S.JobId, item.Index, item.Attempts, e.Message);
                await Task.Delay(RetryPolicy.Backoff(item.Attempts), ct);
            }
            catch (Exception e)
            {
                item.Phase = ItemPhase.Failed;
                item.Error = $"{item.Input}: {e.Message}";
                log.LogWarning("Job {Job} item {Index} failed: {Error}", S.JobId, item.Index, item.Error);
                return false;
            }
        }
    }

    private async Task CheckpointAsync()
    {
        if (++_sinceCheckpoint >= P.CheckpointEveryItems) await WriteStateAsync();
    }

    private async Task WriteStateAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await state.WriteStateAsync();
            _sinceCheckpoint = 0;
        }
        finally { _writeLock.Release(); }
    }

    private async Task FinishAsync()
    {
        if (_finishing) return;
        _finishing = true;
        try
        {
            await FinishBookkeepingAsync(S.Items.Any(i => i.Phase == ItemPhase.Failed) ? JobState.CompletedWithErrors : JobState.Completed);
        }
        finally { _finishing = false; }
        log.LogInformation("Job {Job} {State}: {Done} done, {Failed} failed", S.JobId, S.State,
            S.Items.Count(i => i.Phase == ItemPhase.Done), S.Items.Count(i => i.Phase == ItemPhase.Failed));
    }

    /// <summary>
    /// Writes the contact sheet and manifest, then publishes and persists the final state, and stops the resume reminder.
    /// Outputs first: a client that sees a finished state finds them in the store (status calls interleave with this).
    /// If a write fails the job stays Running, so a resume redoes the bookkeeping.
    /// </summary>
    private async Task FinishBookkeepingAsync(JobState final)
    {
        var finished = DateTimeOffset.UtcNow;
        var manifest = $"{S.OutputPrefix}/manifest.json";
        string? contactSheet = null;
        var sheet = await JobOutputs.ContactSheetAsync(S, store, CancellationToken.None);
        if (sheet is not null)
        {
            contactSheet = $"{S.OutputPrefix}/contact-sheet.png";
            await store.PutAsync(contactSheet, sheet, "image/png");
        }
        await store.PutAsync(manifest, JobOutputs.Manifest(S, final, finished), "application/json");
        S.Manifest = manifest;
        S.ContactSheet = contactSheet;
        S.State = final;
        S.Finished = finished;
        await WriteStateAsync();
        await GrainFactory.GetGrain<IJobIndexGrain>(0).MarkFinished(S.JobId);
        if (await this.GetReminder(ResumeReminder) is { } r) await this.UnregisterReminder(r);
    }

    private JobStatus Status()
    {
        if (S.State == JobState.Unknown) return JobStatus.Unknown(this.GetPrimaryKeyString());
        var errors = S.Items.Where(i => i.Phase == ItemPhase.Failed).Select(i => new ItemError(i.Index, i.Input, i.Error ?? "failed")).ToArray();
        int Count(ItemPhase p) => S.Items.Count(i => i.Phase == p);
        var inFlight = S.State == JobState.Running ? Math.Min(_inFlight, Count(ItemPhase.Pending)) : 0;
        return new JobStatus(S.JobId, S.Kind, S.State, S.Items.Count, Count(ItemPhase.Pending) - inFlight, inFlight, Count(ItemPhase.Done),
            Count(ItemPhase.Failed), Count(ItemPhase.Cancelled), errors, S.OutputPrefix, S.Manifest, S.ContactSheet,
            S.RandomWeights, S.Created, S.Finished, S.Message);
    }
}
