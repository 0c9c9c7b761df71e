using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The control plane of one job. It validates and plans the job, then runs its partitions (<see cref="IPartitionGrain"/>)
/// a few at a time, sharing a window sized to the cluster between them; it aggregates their counts (so status is the
/// same small call whatever the job's size), writes the summary manifest and contact sheet at the end, and resumes
/// after a restart: a timer calls its running partitions, which re-activates one whose silo died, and a reminder
/// re-activates the job itself. No item's tensors or images pass through it. Reentrant so status calls and partition
/// reports interleave; all state changes happen on the grain's own turns.
/// </summary>
[Reentrant]
public sealed class JobGrain(
    [PersistentState("job", GridStorage.JobStore)] IPersistentState<JobGrainState> state,
    IOutputStore store, StageDirectory directory, IOptions<GridOptions> options, ILogger<JobGrain> log, JobMetrics metrics)
    : Grain, IJobGrain, IJobControlGrain, IRemindable
{
    /// <summary>Most failed items one <see cref="GetErrors"/> call returns.</summary>
    public const int MaxErrorsPage = 1000;

    private const string ResumeReminder = "resume";
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Start is check-then-act across awaits in a reentrant grain: two different requests racing for one new id must not both pass.
    private readonly SemaphoreSlim _startLock = new(1, 1);
    /// <summary>The latest counts of running partitions (not persisted: partitions report again after a restart).</summary>
    private readonly Dictionary<int, PartitionProgress> _live = new();
    private IGrainTimer? _pinger;
    /// <summary>
    /// Final counts of partitions the final audit found intact in this activation (a later round re-checks only the
    /// others); the job's totals are recomputed from these before it finishes.
    /// </summary>
    private readonly Dictionary<int, PartitionProgress> _audited = new();
    private bool _finishing;
    private bool _cancelling;

    JobGrainState S => state.State;
    PipelineOptions P => options.Value.Pipeline;

    /// <summary>Whether the job exists, and the client that owns it (read by the gateway check, <see cref="ClientAccessFilter"/>).</summary>
    internal (bool Exists, string? Owner) Ownership => (S.State != JobState.Unknown, S.Owner);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S is { State: JobState.Running, Partitions: 0 })
        {
            // Saved before jobs were partitioned (one list of every item): its progress cannot be read any more.
            S.State = JobState.Failed;
            S.Message = "this job's state was saved by an older RAE.Grid whose format is no longer read; submit it again";
            S.Finished = DateTimeOffset.UtcNow;
            await WriteStateAsync();
            await GrainFactory.GetGrain<IJobIndexGrain>(0).MarkFinished(S.JobId);
            return;
        }
        if (S.State == JobState.Running)
        {
            log.LogInformation("Job {Job} resumes: partitions {Active} running, {Next}/{Count} started", S.JobId,
                string.Join(",", S.Active), S.NextPartition, S.Partitions);
            // A crash between persisting the plan and registering the job would leave it out of the index (idempotent).
            await GrainFactory.GetGrain<IJobIndexGrain>(0).Add(S.JobId, S.Owner);
            StartPinger();
            Publish();
        }
    }

    /// <summary>Shows the job's counts in this silo's job metrics (a finished job leaves them).</summary>
    private void Publish() => metrics.Publish(Status(), S.BundleId);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(this.GetPrimaryKeyString());
        if (S.State != JobState.Unknown) await WriteStateAsync();
    }

    public async Task<JobStatus> Start(JobRequest request)
    {
        await _startLock.WaitAsync();
        try { return await StartLockedAsync(request); }
        finally { _startLock.Release(); }
    }

    private async Task<JobStatus> StartLockedAsync(JobRequest request)
    {
        var jobId = this.GetPrimaryKeyString();
        if (S.State != JobState.Unknown)
        {
            if (S.RequestFingerprint == JobPlanner.Fingerprint(request)) return Status();
            throw new InvalidOperationException($"job id '{jobId}' is already used by a different request");
        }
        var problems = JobPlanner.Validate(request, P, options.Value.MaxImageBytes).ToList();
        problems.AddRange(options.Value.Limits.Check(jobId, request));
        foreach (var stage in StagesOf(request))
            if (!await AnySiloHostsAsync(stage, request.BundleId))
                problems.Add($"no active silo hosts the {stage} stage for bundle '{request.BundleId}'");
        SamplingSpec? sampling = null;
        if (problems.Count == 0 && request is { Kind: JobKind.Generate, Generate: { } g })
        {
            try { sampling = await ResolveSamplingAsync(request.BundleId, g.Sampling ?? SamplingSpec.BundleDefaults, g.IsPrompted()); }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        string? verifier = null;
        if (problems.Count == 0 && request.Generate?.BestOf is { } bestOf)
        {
            // Resolved once, so every candidate of the job is scored by the same verifier whatever the bundle's default is later.
            try { verifier = await CallAnyStageAsync(request.BundleId, StageNames.Verifier, (IVerifierStageGrain v) => v.Resolve(bestOf.Verifier)); }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        JobGrainState? plan = null;
        // The output prefix is this job's before anything is written under it (see OutputClaimsGrain).
        if (problems.Count == 0 && await GrainFactory.GetGrain<IOutputClaimsGrain>(0)
                .Claim(JobPlanner.OutputPrefixOf(jobId, request), jobId, CallerIdentity.Current?.Name) is { } taken)
            problems.Add(taken);
        if (problems.Count == 0)
        {
            try
            {
                plan = await JobPlanner.PlanAsync(jobId, request, sampling, P, store, CancellationToken.None);
                if (plan.Generate is { BestOf: { } b } planned) plan.Generate = planned with { BestOf = b with { Verifier = verifier } };
            }
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        // The id as given may be what is wrong with it (a newline, say): it must not forge lines in messages and logs.
        if (problems.Count > 0)
            throw new ArgumentException($"job '{new string(jobId.Select(c => char.IsControl(c) ? '?' : c).ToArray())}' rejected: " + string.Join("; ", problems));

        // The reminder first: a crash after the state is persisted but before anything else still re-activates the job
        // (a reminder that finds no job unregisters itself).
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        state.State = plan!;
        S.Owner = CallerIdentity.Current?.Name;
        S.RandomWeights = directory.HasRandomWeights(request.BundleId);
        S.State = JobState.Queued;
        await WriteStateAsync();
        await GrainFactory.GetGrain<IJobIndexGrain>(0).Add(jobId, S.Owner);
        log.LogInformation("Job {Job}: {Kind} of {Count} items in {Partitions} partitions with bundle {Bundle} → {Prefix}", jobId, S.Kind,
            S.Total, S.Partitions, S.BundleId, S.OutputPrefix);
        await TryAdmitAsync();
        return Status();
    }

    /// <summary>Asks for a slot (MaxConcurrentJobs); runs when admitted, else stays Queued until <see cref="Admitted"/> or the next reminder.</summary>
    private async Task TryAdmitAsync()
    {
        if (S.State != JobState.Queued) return;
        if (await GrainFactory.GetGrain<IJobAdmissionGrain>(0).Admit(S.JobId, S.Priority)) await BeginAsync();
        else log.LogInformation("Job {Job} waits for a slot: the grid runs MaxConcurrentJobs {Max} jobs", S.JobId, P.MaxConcurrentJobs);
    }

    public Task Admitted() => TryAdmitAsync();

    private async Task BeginAsync()
    {
        if (S.State != JobState.Queued) return;
        S.State = JobState.Running;
        Publish(); // in the same turn: whoever sees the job Running finds it in the gauges
        await WriteStateAsync();
        StartPinger();
        await PumpAsync();
    }

    /// <summary>
    /// The job's sampling settings completed from the bundle's defaults and validated, by a diffusion stage (which holds
    /// the bundle): a bad value fails the Start naming the field, before any item runs. Transient failures (a busy or
    /// leaving silo) are retried on the next host for up to <see cref="ResolveDeadline"/> (a client waits on this call).
    /// </summary>
    private Task<SamplingSpec> ResolveSamplingAsync(string bundleId, SamplingSpec requested, bool prompted) =>
        CallAnyStageAsync(bundleId, StageNames.Diffusion, (IDiffusionStageGrain g) => g.ResolveSampling(requested, prompted));

    /// <summary>Asks any silo hosting <paramref name="stage"/> (submit-time checks against the bundle), retrying transient failures for up to <see cref="ResolveDeadline"/>.</summary>
    private async Task<T> CallAnyStageAsync<TGrain, T>(string bundleId, string stage, Func<TGrain, Task<T>> call) where TGrain : IGrainWithStringKey
    {
        var router = new StageRouter(directory, GrainFactory, bundleId);
        var since = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            try { return await router.CallAsync(stage, call); }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && since.Elapsed < ResolveDeadline)
            {
                await Task.Delay(RetryPolicy.Backoff(attempt, P.MaxRetryBackoff));
            }
        }
    }

    /// <summary>How long a Start waits out transient failures while it resolves the sampling settings.</summary>
    public static readonly TimeSpan ResolveDeadline = TimeSpan.FromSeconds(60);

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

    public async Task<ItemError[]> GetErrors(int offset, int count)
    {
        count = Math.Clamp(count, 0, MaxErrorsPage);
        var failed = new SortedDictionary<int, int>(S.FailedByPartition);
        foreach (var (p, progress) in _live) if (progress.Failed > 0) failed[p] = progress.Failed;
        var result = new List<ItemError>();
        var skip = Math.Max(0, offset);
        foreach (var (p, n) in failed)
        {
            if (result.Count >= count) break;
            if (skip >= n) { skip -= n; continue; }
            result.AddRange(await Partition(p).Errors(skip, count - result.Count));
            skip = 0;
        }
        return result.ToArray();
    }

    public async Task<JobStatus> Cancel()
    {
        if (S.State is not (JobState.Running or JobState.Queued) || _finishing || _cancelling) return Status();
        _cancelling = true;
        try
        {
            // Every partition not finished settles and records its items (never-started ones as cancelled), so the
            // manifest still lists every item.
            var open = S.Active.Concat(Enumerable.Range(S.NextPartition, S.Partitions - S.NextPartition)).ToList();
            foreach (var chunk in open.Chunk(16))
            {
                var finals = await Task.WhenAll(chunk.Select(async p => (p, await Partition(p).Cancel(S.PlanOf(p)))));
                foreach (var (p, progress) in finals) Count(p, progress);
            }
            S.Active.Clear();
            _live.Clear();
            S.NextPartition = S.Partitions;
            await FinishBookkeepingAsync(JobState.Cancelled);
        }
        finally { _cancelling = false; }
        return Status();
    }

    public async Task Report(int partition, PartitionProgress progress)
    {
        if (S.State != JobState.Running || _cancelling || !S.Active.Contains(partition)) return;
        if (!progress.Finished) { _live[partition] = progress; Publish(); return; }
        S.Active.Remove(partition);
        _live.Remove(partition);
        Count(partition, progress);
        Publish();
        await WriteStateAsync();
        await PumpAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already restarted the pinger; the reminder only exists to activate the job after its silo died
        // (and to ask again for a slot while queued).
        if (S.State == JobState.Running) StartPinger();
        else if (S.State == JobState.Queued) await TryAdmitAsync();
        else if (S.State == JobState.Unknown && await this.GetReminder(ResumeReminder) is { } r) await this.UnregisterReminder(r);
    }

    private static string[] StagesOf(JobRequest request) => request.Kind switch
    {
        JobKind.Reconstruct => [StageNames.Encoder, StageNames.Decoder],
        JobKind.Generate => [.. request.Generate?.IsPrompted() == true ? [StageNames.Text] : Array.Empty<string>(), StageNames.Diffusion,
            .. request.Generate?.BestOf is not null ? [StageNames.Verifier] : Array.Empty<string>(), StageNames.Decoder],
        _ => [StageNames.Encoder],
    };

    private IPartitionGrain Partition(int index) => GrainFactory.GetGrain<IPartitionGrain>(PartitionPlan.KeyOf(S.JobId, index));

    /// <summary>Adds a finished partition's final counts to the job's totals.</summary>
    private void Count(int partition, PartitionProgress progress)
    {
        S.FinishedDone += progress.Done;
        S.FinishedFailed += progress.Failed;
        S.FinishedCancelled += progress.Cancelled;
        S.FinishedRedone += progress.Redone;
        S.FinishedSampled += progress.Sampled;
        S.FinishedVerifierCalls += progress.VerifierCalls;
        S.FinishedResampled += progress.Resampled;
        if (progress.Failed > 0) S.FailedByPartition[partition] = progress.Failed;
        foreach (var e in progress.Errors)
            if (S.FirstErrors.Count < P.StatusErrors) S.FirstErrors.Add(e);
    }

    /// <summary>
    /// Items the job keeps in flight: <see cref="PipelineOptions.BatchesInFlightPerHost"/> batches for every silo hosting
    /// the first stage (their advertised MaxBatch, read on every call, so a joining silo widens it), capped by MaxInFlightItems.
    /// </summary>
    private int Window()
    {
        var first = S.Kind == JobKind.Generate ? StageNames.Diffusion : StageNames.Encoder;
        var capacity = directory.BatchCapacity(first, S.BundleId);
        return Math.Clamp(P.BatchesInFlightPerHost * capacity, 1, P.MaxInFlightItems);
    }

    /// <summary>A running partition's share of the window.</summary>
    private int PartitionWindow() => (Window() + Math.Max(1, S.Active.Count) - 1) / Math.Max(1, S.Active.Count);

    /// <summary>Starts partitions until ActivePartitions run; finishes the job when every partition has.</summary>
    private async Task PumpAsync()
    {
        if (S.State != JobState.Running || _cancelling || _finishing) return;
        var started = new List<int>();
        while (S.Active.Count < P.ActivePartitions && S.NextPartition < S.Partitions)
        {
            S.Active.Add(S.NextPartition);
            started.Add(S.NextPartition++);
        }
        if (started.Count > 0)
        {
            await WriteStateAsync();
            foreach (var p in started) await RunPartitionAsync(p);
        }
        if (S.Active.Count == 0 && S.NextPartition >= S.Partitions) await FinishAsync();
    }

    private async Task RunPartitionAsync(int partition)
    {
        try { await Partition(partition).Run(S.PlanOf(partition), PartitionWindow()); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Job {Job}: partition {Partition} did not start ({Error}); the next ping retries", S.JobId, partition, e.Message);
        }
    }

    private void StartPinger()
    {
        _pinger ??= this.RegisterGrainTimer(PingAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromMilliseconds(P.PartitionPingMs), Period = TimeSpan.FromMilliseconds(P.PartitionPingMs), Interleave = true,
        });
    }

    /// <summary>Calls every running partition (re-activating one whose silo died, with the current window), then pumps.</summary>
    private async Task PingAsync(CancellationToken ct)
    {
        if (S.State != JobState.Running) { _pinger?.Dispose(); _pinger = null; return; }
        foreach (var p in S.Active.ToList()) await RunPartitionAsync(p);
        await PumpAsync();
        Publish();
    }

    private async Task WriteStateAsync()
    {
        await _writeLock.WaitAsync();
        try { await GrainStateWrites.WriteAsync(state, log, $"job {S.JobId}"); }
        finally { _writeLock.Release(); }
    }

    private async Task FinishAsync()
    {
        if (_finishing) return;
        _finishing = true;
        try
        {
            if (await AuditAsync()) return;
            await FinishBookkeepingAsync(S.FinishedFailed > 0 ? JobState.CompletedWithErrors : JobState.Completed);
        }
        finally { _finishing = false; }
        log.LogInformation("Job {Job} {State}: {Done} done, {Failed} failed, {Redone} redone after the audit", S.JobId, S.State,
            S.FinishedDone, S.FinishedFailed, S.FinishedRedone);
    }

    /// <summary>
    /// The final audit, so that "done" means "there": every partition checks that the store holds each output it
    /// recorded, with the recorded hash. Partitions that lost outputs re-open to redo them and run again; returns true
    /// when any did (the job finishes when they report again).
    /// </summary>
    private async Task<bool> AuditAsync()
    {
        var (reopened, lost) = (false, 0);
        foreach (var chunk in Enumerable.Range(0, S.Partitions).Where(p => !_audited.ContainsKey(p)).Chunk(16))
        {
            var results = await Task.WhenAll(chunk.Select(async p => (p, r: await Partition(p).Audit(S.PlanOf(p)))));
            foreach (var (p, r) in results)
            {
                lost += r.Lost;
                // Re-opened: it lost outputs, or its stored state is behind what it reported (state storage restored
                // a moment behind); either way it runs again and reports its final counts anew.
                if (r.Reopened) { S.Active.Add(p); reopened = true; }
                else _audited[p] = r.After;
            }
        }
        if (reopened)
        {
            log.LogWarning("Job {Job}: the final audit found {Lost} outputs missing or changed in the store; partitions {Partitions} re-open",
                S.JobId, lost, string.Join(",", S.Active));
            await WriteStateAsync();
            return true;
        }
        // The totals are what the audited partitions hold now, not the sum of reports received along the way.
        S.FinishedDone = S.FinishedFailed = S.FinishedCancelled = S.FinishedRedone = 0;
        S.FinishedSampled = S.FinishedVerifierCalls = S.FinishedResampled = 0;
        S.FailedByPartition.Clear();
        S.FirstErrors.Clear();
        foreach (var (p, progress) in _audited.OrderBy(kv => kv.Key)) Count(p, progress);
        return false;
    }

    /// <summary>
    /// Writes the contact sheet and manifest, then publishes and persists the final state, and stops the resume reminder.
    /// Outputs first: a client that sees a finished state finds them in the store (status calls interleave with this).
    /// If a write fails the job stays Running, so the next ping redoes the bookkeeping.
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
        var previous = (S.Manifest, S.ContactSheet, S.State, S.Finished);
        S.Manifest = manifest;
        S.ContactSheet = contactSheet;
        // Out of the gauges as the state turns final (a failed write below puts it back Running; the next ping publishes it again).
        metrics.Forget(S.JobId);
        S.State = final;
        S.Finished = finished;
        try { await WriteStateAsync(); }
        catch
        {
            // Not persisted: stay Running in memory too, so the next ping redoes the bookkeeping instead of the job
            // looking finished here while its stored state says Running.
            (S.Manifest, S.ContactSheet, S.State, S.Finished) = previous;
            throw;
        }
        await GrainFactory.GetGrain<IJobIndexGrain>(0).MarkFinished(S.JobId);
        if (await this.GetReminder(ResumeReminder) is { } r) await this.UnregisterReminder(r);
        _pinger?.Dispose();
        _pinger = null;
    }

    private JobStatus Status()
    {
        if (S.State == JobState.Unknown) return JobStatus.Unknown(this.GetPrimaryKeyString());
        int done = S.FinishedDone, failed = S.FinishedFailed, cancelled = S.FinishedCancelled, inFlight = 0;
        long sampled = S.FinishedSampled, scored = S.FinishedVerifierCalls, resampled = S.FinishedResampled;
        var errors = S.FirstErrors.ToList();
        foreach (var progress in _live.Values)
        {
            done += progress.Done; failed += progress.Failed; cancelled += progress.Cancelled; inFlight += progress.InFlight;
            sampled += progress.Sampled; scored += progress.VerifierCalls; resampled += progress.Resampled;
            errors.AddRange(progress.Errors);
        }
        if (S.State != JobState.Running) inFlight = 0;
        var pending = Math.Max(0, S.Total - done - failed - cancelled - inFlight);
        return new JobStatus(S.JobId, S.Kind, S.State, S.Total, pending, inFlight, done, failed, cancelled,
            errors.OrderBy(e => e.Index).Take(P.StatusErrors).ToArray(), S.OutputPrefix, S.Manifest, S.ContactSheet,
            S.RandomWeights, S.Created, S.Finished, S.Message, BestOf(S, done, sampled, scored, resampled));
    }

    /// <summary>A best-of-N job's work so far (null for any other job).</summary>
    internal static BestOfSummary? BestOf(JobGrainState s, long decodes, long sampled, long scored, long resampled) =>
        s.Generate is { BestOf: { } b } g
            ? new BestOfSummary(b.N, b.Keep, b.Verifier, g.Items(), sampled, scored, resampled, decodes,
                sampled * (g.Sampling?.Steps ?? 0))
            : null;
}
