using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// One partition of a job: the control plane of its items, as Orleans wiring. Its <see cref="PartitionLedger"/> keeps the
/// items' phases and the rules (resume, checkpoint cadence, audit outcome); an <see cref="ItemRunner"/> for the job's kind
/// routes each item through the stages (the stages pass the latent between themselves and the decoder writes the PNG);
/// this grain persists the state, reports to the job, writes the item records once every item has settled, and runs
/// the item loop as a task of its own. After a restart an output already stored — and tagged as its item's — is counted
/// done, not redone. Every output's SHA-256 and producer are recorded, so the job's final audit can check the store
/// still holds exactly what was written (<see cref="Audit"/>).
/// Reentrant so the job's calls interleave with the work; all state changes happen on the grain's own turns.
/// </summary>
[Reentrant]
public sealed class PartitionGrain(
    [PersistentState("partition", GridStorage.JobStore)] IPersistentState<PartitionState> state,
    IOutputStore store, StageDirectory directory, IOptions<GridOptions> options, ILogger<PartitionGrain> log)
    : Grain, IPartitionGrain
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private PartitionLedger _ledger = null!;
    private PartitionItems? _items;
    private ItemRunner? _runner;
    private CancellationTokenSource _cancel = new();
    private Task? _processing;
    private int _window = 1;

    PartitionPlan Plan => _ledger.Plan;
    PipelineOptions P => options.Value.Pipeline;
    string RecordsName => $"{Plan.OutputPrefix}/{ItemNames.RecordsFile(Plan.Index)}";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Over the state as read: from an earlier activation, some outputs may be stored that its last checkpoint does not record.
        _ledger = new PartitionLedger(state.State, P);
        _ledger.Resume();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stop the item loop first (it is not a request, so deactivation does not wait for it), then keep what finished.
        _cancel.Cancel();
        if (_processing is { IsCompleted: false } processing)
            try { await processing.WaitAsync(cancellationToken); } catch (OperationCanceledException) { }
        // Only what changed since the last checkpoint: a finished partition (or one with nothing new) writes nothing, so
        // a silo holding a big job's thousand finished partitions shuts down without rewriting them all.
        if (_ledger.State.Plan is not null && _ledger.SinceCheckpoint > 0) await TryCheckpointAsync();
    }

    public async Task Run(PartitionPlan plan, int window)
    {
        _window = Math.Max(1, window);
        await EnsurePlannedAsync(plan);
        if (_ledger.Finished) { await ReportAsync(); return; }
        StartProcessing();
    }

    public async Task<PartitionProgress> Cancel(PartitionPlan plan)
    {
        await EnsurePlannedAsync(plan);
        if (!_ledger.Finished)
        {
            _cancel.Cancel();
            // In-flight items settle first (their calls are cancelled), so an output that still lands counts as done.
            if (_processing is { IsCompleted: false } processing) await processing;
            _ledger.CancelPending();
            await FinishAsync(report: false);
        }
        return _ledger.Progress(_items);
    }

    public async Task<PartitionAuditResult> Audit(PartitionPlan plan)
    {
        await EnsurePlannedAsync(plan);
        if (!_ledger.Finished)
        {
            // The job saw it finish, but its stored state is behind (state storage restored a moment behind): run again.
            StartProcessing();
            return new PartitionAuditResult(0, _ledger.Progress(_items), true);
        }
        var items = await ItemsAsync(CancellationToken.None);
        var lost = await OutputAudit.LostAsync(items, _ledger.State, store, CancellationToken.None);
        if (lost.Count == 0)
        {
            // The records are the manifest's lines: a store that lost them gets them again (they are derived from the state).
            if (!await store.ExistsAsync(RecordsName)) await WriteRecordsAsync(items);
            return new PartitionAuditResult(0, _ledger.Progress(items), false);
        }
        var redo = _ledger.ResolveLost(items, lost);
        log.LogWarning("Job {Job} partition {Partition}: the store no longer holds {Lost} outputs recorded as done (e.g. {Output}); {Action}",
            Plan.JobId, Plan.Index, lost.Count, items.OutputOf(lost[0]), redo ? "redoing them" : $"failing them after {_ledger.AuditRounds - 1} audits");
        if (!redo)
        {
            await FinishAsync(report: false);
            return new PartitionAuditResult(lost.Count, _ledger.Progress(items), false);
        }
        await WriteStateAsync();
        StartProcessing();
        return new PartitionAuditResult(lost.Count, _ledger.Progress(items), true);
    }

    public async Task<ItemError[]> Errors(int offset, int count) =>
        _ledger.State.Plan is null || _ledger.State.Errors.Count == 0 ? [] : _ledger.Errors(await ItemsAsync(CancellationToken.None), offset, count);

    private async Task EnsurePlannedAsync(PartitionPlan plan)
    {
        if (_ledger.TakePlan(plan)) await WriteStateAsync();
    }

    private async Task<PartitionItems> ItemsAsync(CancellationToken ct) => _items ??= await PartitionItems.LoadAsync(Plan, store, ct);

    private void StartProcessing()
    {
        if (_processing is { IsCompleted: false }) return;
        if (_ledger.Resumed && _processing is null)
            log.LogInformation("Job {Job} partition {Partition} resumes: {Settled}/{Count} items already settled", Plan.JobId, Plan.Index,
                _ledger.Settled, Plan.Count);
        if (_cancel.IsCancellationRequested) _cancel = new CancellationTokenSource();
        _processing = ProcessAsync(_cancel.Token);
    }

    private async Task ProcessAsync(CancellationToken ct)
    {
        try
        {
            _runner ??= ItemRunner.For(new ItemRunContext(_ledger, await ItemsAsync(ct), new ItemRetries(P, _ledger, log),
                new StoredOutputs(store, _ledger, log), new StageRouter(directory, GrainFactory, Plan.BundleId), SettledAsync, log), GrainFactory);
            await _runner.RunAsync(_ledger.Pending(), () => _window, ct);
            if (_ledger.AllSettled) await FinishAsync(report: true);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            // The partition stays unfinished; the job's next Run resumes it from the last checkpoint.
            log.LogError(e, "Partition {Partition} of job {Job} paused by an unexpected error; the job's next ping resumes it", Plan.Index, Plan.JobId);
            await TryCheckpointAsync();
        }
    }

    /// <summary>After items settle: a checkpoint and a report, a report, or nothing, as the ledger says.</summary>
    private async Task SettledAsync(SettleStep step)
    {
        if (step == SettleStep.Checkpoint) await TryCheckpointAsync();
        if (step != SettleStep.None) await ReportAsync();
    }

    /// <summary>Writes the item records, then persists the partition as finished and reports its final counts.</summary>
    private async Task FinishAsync(bool report)
    {
        await WriteRecordsAsync(await ItemsAsync(CancellationToken.None));
        _ledger.Finished = true;
        try { await WriteStateAsync(); }
        catch { _ledger.Finished = false; throw; }
        if (report) await ReportAsync();
    }

    private Task WriteRecordsAsync(PartitionItems items) =>
        store.PutAsync(RecordsName, ItemRecords.ToJsonLines(items, _ledger.State), "application/x-ndjson");

    /// <summary>
    /// Reports to the job. Best effort: a job whose silo is gone or busy gets the counts at the next checkpoint, and its
    /// ping calls <see cref="Run"/>, which reports a finished partition again.
    /// </summary>
    private async Task ReportAsync()
    {
        _ledger.Reported();
        try { await GrainFactory.GetGrain<IJobControlGrain>(Plan.JobId).Report(Plan.Index, _ledger.Progress(_items)); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogDebug("Job {Job} partition {Partition}: report not delivered ({Error}); the job's next ping gets it", Plan.JobId, Plan.Index, e.Message);
        }
    }

    /// <summary>A checkpoint that may fail (state storage briefly down): the items stay settled in memory and the next checkpoint writes them.</summary>
    private async Task TryCheckpointAsync()
    {
        try { await WriteStateAsync(); }
        catch (Exception e) when (RetryPolicy.IsRetryable(e))
        {
            log.LogWarning("Job {Job} partition {Partition}: checkpoint not written ({Error}); the next one retries", Plan.JobId, Plan.Index, e.Message);
        }
    }

    private async Task WriteStateAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await GrainStateWrites.WriteAsync(state, log, this.GetPrimaryKeyString());
            _ledger.Checkpointed();
        }
        finally { _writeLock.Release(); }
    }
}
