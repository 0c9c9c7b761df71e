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
/// The control plane of one job, as Orleans wiring over plain classes: <see cref="JobSubmission"/> plans it,
/// <see cref="JobSchedule"/> runs its partitions (<see cref="IPartitionGrain"/>), <see cref="JobTally"/> counts (status is
/// O(1) in the job's size), <see cref="JobAudit"/> and <see cref="JobFinisher"/> end it. The grain persists the state,
/// calls the grains and resumes after a restart: a timer calls its running partitions (re-activating one whose silo
/// died), a reminder re-activates the job. No item's tensors or images pass through it. Reentrant so status calls and
/// partition reports interleave; all state changes happen on its own turns.
/// </summary>
[Reentrant]
public sealed class JobGrain(
    [PersistentState("job", GridStorage.JobStore)] IPersistentState<JobGrainState> state,
    IOutputStore store, StageDirectory directory, IOptions<GridOptions> options, ILogger<JobGrain> log, JobMetrics metrics)
    : Grain, IJobGrain, IJobControlGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Start is check-then-act across awaits in a reentrant grain: two different requests racing for one new id must not both pass.
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private IGrainTimer? _pinger;
    private JobSchedule _schedule = null!;
    private JobTally _tally = null!;
    private JobAudit _audit = null!;
    private bool _finishing, _cancelling;

    JobGrainState S => state.State;
    PipelineOptions P => options.Value.Pipeline;

    /// <summary>Whether the job exists, and the client that owns it (read by the gateway check, <see cref="ClientAccessFilter"/>).</summary>
    internal (bool Exists, string? Owner) Ownership => (S.State != JobState.Unknown, S.Owner);

    /// <summary>The plain classes over the current state (again when a Start replaces it).</summary>
    private void Bind() => _audit = new JobAudit(S, _schedule = new JobSchedule(S, P), _tally = new JobTally(S, P));

    private IJobIndexGrain Index => GrainFactory.GetGrain<IJobIndexGrain>(0);

    private IPartitionGrain Partition(int index) => GrainFactory.GetGrain<IPartitionGrain>(PartitionPlan.KeyOf(S.JobId, index));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Bind();
        if (S.RetireUnreadable()) { await WriteStateAsync(); await Index.MarkFinished(S.JobId); }
        if (S.State != JobState.Running) return;
        log.LogInformation("Job {Job} resumes: partitions {Active} running, {Next}/{Count} started", S.JobId,
            string.Join(",", S.Active), S.NextPartition, S.Partitions);
        // A crash between persisting the plan and registering the job would leave it out of the index (idempotent).
        await Index.Add(S.JobId, S.Owner);
        StartPinger();
        Publish();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(this.GetPrimaryKeyString());
        if (S.State != JobState.Unknown) await WriteStateAsync();
    }

    public async Task<JobStatus> Start(JobRequest request)
    {
        await _startLock.WaitAsync();
        try
        {
            var jobId = this.GetPrimaryKeyString();
            if (JobSubmission.Repeats(jobId, S, request)) return Status();
            var owner = CallerIdentity.Current?.Name;
            var plan = await new JobSubmission(options.Value, store, Stages(owner)).PlanAsync(jobId, request);
            // The reminder first: a crash after the state is persisted but before anything else still re-activates the
            // job (a reminder that finds no job unregisters itself).
            await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            state.State = plan;
            (S.Owner, S.RandomWeights, S.State) = (owner, directory.HasRandomWeights(request.BundleId), JobState.Queued);
            Bind();
            await WriteStateAsync();
            await Index.Add(jobId, S.Owner);
            log.LogInformation("Job {Job}: {Kind} of {Count} items in {Partitions} partitions with bundle {Bundle} → {Prefix}", jobId, S.Kind,
                S.Total, S.Partitions, S.BundleId, S.OutputPrefix);
            await TryAdmitAsync();
            return Status();
        }
        finally { _startLock.Release(); }
    }

    public Task Admitted() => TryAdmitAsync();

    /// <summary>Asks for a slot (MaxConcurrentJobs) and runs when admitted; else stays Queued until <see cref="Admitted"/> or the next reminder.</summary>
    private async Task TryAdmitAsync()
    {
        if (S.State != JobState.Queued) return;
        if (!await GrainFactory.GetGrain<IJobAdmissionGrain>(0).Admit(S.JobId, S.Priority))
        {
            log.LogInformation("Job {Job} waits for a slot: the grid runs MaxConcurrentJobs {Max} jobs", S.JobId, P.MaxConcurrentJobs);
            return;
        }
        if (S.State != JobState.Queued) return; // admitted twice (a reminder raced Admitted): the first runs it
        S.State = JobState.Running;
        Publish(); // in the same turn: whoever sees the job Running finds it in the gauges
        await WriteStateAsync();
        StartPinger();
        await PumpAsync();
    }

    public Task<JobStatus> GetStatus() => Task.FromResult(Status());

    public Task<ItemError[]> GetErrors(int offset, int count) =>
        _tally.ErrorsAsync(offset, count, (p, skip, take) => Partition(p).Errors(skip, take));

    public async Task<JobStatus> Cancel()
    {
        if (S.State is not (JobState.Running or JobState.Queued) || _finishing || _cancelling) return Status();
        _cancelling = true;
        try
        {
            await _schedule.CancelAsync(_tally, p => Partition(p).Cancel(S.PlanOf(p)));
            await FinishBookkeepingAsync(JobState.Cancelled);
        }
        finally { _cancelling = false; }
        return Status();
    }

    public async Task Report(int partition, PartitionProgress progress)
    {
        if (S.State != JobState.Running || _cancelling || !_schedule.IsActive(partition)) return;
        if (!progress.Finished) { _tally.Live(partition, progress); Publish(); return; }
        _schedule.Finish(partition);
        _tally.Finished(partition, progress);
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

    /// <summary>Starts partitions until ActivePartitions run; finishes the job when every partition has.</summary>
    private async Task PumpAsync()
    {
        if (S.State != JobState.Running || _cancelling || _finishing) return;
        if (await _schedule.PumpAsync(RunPartitionAsync, WriteStateAsync)) await FinishAsync();
    }

    /// <summary>Starts or re-activates a partition with its share of the window (the cluster's capacity read now).</summary>
    private async Task RunPartitionAsync(int partition)
    {
        try { await Partition(partition).Run(S.PlanOf(partition), _schedule.PartitionWindow(directory.BatchCapacity(_schedule.FirstStage, S.BundleId))); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Job {Job}: partition {Partition} did not start ({Error}); the next ping retries", S.JobId, partition, e.Message);
        }
    }

    private void StartPinger() => _pinger ??= this.RegisterGrainTimer(PingAsync, new GrainTimerCreationOptions
    {
        DueTime = TimeSpan.FromMilliseconds(P.PartitionPingMs), Period = TimeSpan.FromMilliseconds(P.PartitionPingMs), Interleave = true,
    });

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

    /// <summary>Audits the outputs; finishes the job, or, when partitions re-opened, waits for their reports.</summary>
    private async Task FinishAsync()
    {
        if (_finishing) return;
        _finishing = true;
        try
        {
            var (lost, reopened) = await _audit.RoundAsync(p => Partition(p).Audit(S.PlanOf(p)));
            if (reopened.Count > 0)
            {
                log.LogWarning("Job {Job}: the final audit found {Lost} outputs missing or changed in the store; partitions {Partitions} re-open",
                    S.JobId, lost, string.Join(",", reopened));
                await WriteStateAsync();
                return;
            }
            await FinishBookkeepingAsync(S.FinishedFailed > 0 ? JobState.CompletedWithErrors : JobState.Completed);
        }
        finally { _finishing = false; }
        log.LogInformation("Job {Job} {State}: {Done} done, {Failed} failed, {Redone} redone after the audit", S.JobId, S.State,
            S.FinishedDone, S.FinishedFailed, S.FinishedRedone);
    }

    /// <summary>Writes the outputs and persists the final state (<see cref="JobFinisher"/>), then leaves the index's running jobs and stops the resume reminder.</summary>
    private async Task FinishBookkeepingAsync(JobState final)
    {
        // Out of the gauges as the state turns final (a failed write puts it back Running; the next ping publishes it again).
        await new JobFinisher(S, store).FinishAsync(final, Stages().ContactSheetMaker(S),
            () => { metrics.Forget(S.JobId); return WriteStateAsync(); }, CancellationToken.None);
        await Index.MarkFinished(S.JobId);
        if (await this.GetReminder(ResumeReminder) is { } r) await this.UnregisterReminder(r);
        _pinger?.Dispose();
        _pinger = null;
    }

    /// <summary>Stages and grains asked at submit and finish time, on behalf of <paramref name="owner"/>.</summary>
    private SubmissionGrid Stages(string? owner = null) => new(directory, GrainFactory, P, owner);

    /// <summary>Shows the job's counts in this silo's job metrics (a finished job leaves them).</summary>
    private void Publish() => metrics.Publish(Status(), S.BundleId);

    private JobStatus Status() => _tally.Status(this.GetPrimaryKeyString());
}
