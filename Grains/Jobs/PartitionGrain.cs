using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// One partition of a job: the control plane of its items. It decides each item's route — the first stage's silo, and
/// the decoder on that same silo when it hosts one — and records the outcome; the stages pass the latent between
/// themselves and the decoder writes the PNG. It checkpoints its own small state every few items (so a checkpoint costs
/// the same per item whatever the job's size), reports its counts to the job, writes its item records when every item
/// has settled, and resumes after a restart: an item whose output is already stored — and tagged as this item's — is
/// counted done, not redone. Every output's SHA-256 and producer are recorded, so the job's final audit can check the
/// store still holds exactly what was written (<see cref="Audit"/>).
/// Reentrant so the job's calls interleave with the work; all state changes happen on the grain's own turns.
/// </summary>
[Reentrant]
public sealed partial class PartitionGrain(
    [PersistentState("partition", GridStorage.JobStore)] IPersistentState<PartitionState> state,
    IOutputStore store, StageDirectory directory, IOptions<GridOptions> options, ILogger<PartitionGrain> log)
    : Grain, IPartitionGrain
{
    /// <summary>Least time between two progress reports to the job (besides those at checkpoints and at the end).</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Stopwatch _sinceReport = Stopwatch.StartNew();
    private PartitionItems? _items;
    private StageRouter? _router;
    private CancellationTokenSource _cancel = new();
    private Task? _processing;
    private int _window = 1;
    private int _inFlight;
    private int _sinceCheckpoint;
    private bool _resumed;

    PartitionState S => state.State;
    PartitionPlan Plan => S.Plan!;
    PipelineOptions P => options.Value.Pipeline;
    StageRouter Router => _router ??= new StageRouter(directory, GrainFactory, Plan.BundleId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // State from an earlier activation: some outputs may be stored that the last checkpoint does not record.
        _resumed = S.Plan is not null;
        if (S.Plan is not null)
        {
            EnsureArrays();
            if (!S.Finished && S.Transient.Count > 0)
            {
                // Failed by an outage that outlasted their deadline, not by their content: a resumed partition tries again.
                foreach (var i in S.Transient)
                    if (S.Phases[i] == (byte)ItemPhase.Failed) { S.Phases[i] = (byte)ItemPhase.Pending; S.Errors.Remove(i); }
                S.Transient.Clear();
            }
        }
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
        if (S.Plan is not null && _sinceCheckpoint > 0) await TryCheckpointAsync();
    }

    public async Task Run(PartitionPlan plan, int window)
    {
        _window = Math.Max(1, window);
        await EnsurePlannedAsync(plan);
        if (S.Finished) { await ReportAsync(); return; }
        StartProcessing();
    }

    private void StartProcessing()
    {
        if (_processing is { IsCompleted: false }) return;
        if (_resumed && _processing is null)
            log.LogInformation("Job {Job} partition {Partition} resumes: {Settled}/{Count} items already settled", Plan.JobId, Plan.Index,
                S.Phases.Count(p => p != (byte)ItemPhase.Pending), Plan.Count);
        if (_cancel.IsCancellationRequested) _cancel = new CancellationTokenSource();
        _processing = ProcessAsync(_cancel.Token);
    }

    public async Task<PartitionProgress> Cancel(PartitionPlan plan)
    {
        await EnsurePlannedAsync(plan);
        if (!S.Finished)
        {
            _cancel.Cancel();
            // In-flight items settle first (their calls are cancelled), so an output that still lands counts as done.
            if (_processing is { IsCompleted: false } processing) await processing;
            for (int i = 0; i < S.Phases.Length; i++)
                if (S.Phases[i] == (byte)ItemPhase.Pending) S.Phases[i] = (byte)ItemPhase.Cancelled;
            await FinishAsync(report: false);
        }
        return Progress();
    }

    public async Task<PartitionAuditResult> Audit(PartitionPlan plan)
    {
        await EnsurePlannedAsync(plan);
        if (!S.Finished)
        {
            // The job saw it finish, but its stored state is behind (state storage restored a moment behind): run again.
            StartProcessing();
            return new PartitionAuditResult(0, Progress(), true);
        }
        var items = await ItemsAsync(CancellationToken.None);
        var lost = await OutputAudit.LostAsync(items, S, store, CancellationToken.None);
        if (lost.Count == 0)
        {
            // The records are the manifest's lines: a store that lost them gets them again (they are derived from the state).
            if (!await store.ExistsAsync(RecordsName)) await WriteRecordsAsync(items);
            return new PartitionAuditResult(0, Progress(), false);
        }
        var retry = S.AuditRounds < P.MaxAuditRounds;
        log.LogWarning("Job {Job} partition {Partition}: the store no longer holds {Lost} outputs recorded as done (e.g. {Output}); {Action}",
            Plan.JobId, Plan.Index, lost.Count, items.OutputOf(lost[0]), retry ? "redoing them" : $"failing them after {S.AuditRounds} audits");
        S.AuditRounds++;
        foreach (var i in lost)
        {
            S.Forget(i);
            if (retry) S.Phases[i] = (byte)ItemPhase.Pending;
            else
            {
                S.Phases[i] = (byte)ItemPhase.Failed;
                S.Errors[i] = $"{items.InputOf(i)}: the store lost this item's output {P.MaxAuditRounds} times after it was written";
            }
        }
        if (!retry)
        {
            await FinishAsync(report: false);
            return new PartitionAuditResult(lost.Count, Progress(), false);
        }
        S.Redone += lost.Count;
        S.Finished = false;
        await WriteStateAsync();
        StartProcessing();
        return new PartitionAuditResult(lost.Count, Progress(), true);
    }

    public async Task<ItemError[]> Errors(int offset, int count)
    {
        if (S.Plan is null || S.Errors.Count == 0) return [];
        var items = await ItemsAsync(CancellationToken.None);
        return S.Errors.Skip(Math.Max(0, offset)).Take(Math.Max(0, count))
            .Select(e => new ItemError(items.IndexOf(e.Key), items.InputOf(e.Key), e.Value)).ToArray();
    }

    private async Task EnsurePlannedAsync(PartitionPlan plan)
    {
        if (S.Plan is not null) return;
        S.Plan = plan;
        S.Phases = new byte[plan.Count];
        S.Attempts = new byte[plan.Count];
        S.Seconds = new float[plan.Count];
        EnsureArrays();
        await WriteStateAsync();
    }

    /// <summary>Sizes the per-item arrays added after the first format (a state saved before them has them empty).</summary>
    private void EnsureArrays()
    {
        if (S.Hashes.Length != S.Phases.Length * 32) S.Hashes = new byte[S.Phases.Length * 32];
        if (S.ProducerOf.Length != S.Phases.Length) S.ProducerOf = new byte[S.Phases.Length];
    }

    private async Task<PartitionItems> ItemsAsync(CancellationToken ct) => _items ??= await PartitionItems.LoadAsync(Plan, store, ct);

    string RecordsName => $"{Plan.OutputPrefix}/{ItemNames.RecordsFile(Plan.Index)}";

    private async Task ProcessAsync(CancellationToken ct)
    {
        try
        {
            var items = await ItemsAsync(ct);
            var pending = Enumerable.Range(0, Plan.Count).Where(i => S.Phases[i] == (byte)ItemPhase.Pending).ToList();
            if (Plan.Kind == JobKind.Encode)
                await WindowedRun.RunAsync(pending.GroupBy(i => items.IndexOf(i) / Plan.ShardSize).ToList(),
                    () => Math.Max(1, _window / Plan.ShardSize), shard => GuardAsync(shard.ToList(), () => ProcessShardAsync(items, shard.ToList(), ct)), ct);
            else if (Plan.Generate?.BestOf is { } bestOf)
                // A best-of-N item runs N candidates at once: the window counts candidates, not items.
                await WindowedRun.RunAsync(pending.GroupBy(items.ItemOf).ToList(), () => Math.Max(1, _window / bestOf.N),
                    item => GuardAsync(item.ToList(), () => ProcessBestOfAsync(items, item.Key, item.ToList(), ct)), ct);
            else
                await WindowedRun.RunAsync(pending, () => _window, i => GuardAsync([i], () => ProcessItemAsync(items, i, ct)), ct);
            if (S.Phases.All(p => p != (byte)ItemPhase.Pending)) await FinishAsync(report: true);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            // The partition stays unfinished; the job's next Run resumes it from the last checkpoint.
            log.LogError(e, "Partition {Partition} of job {Job} paused by an unexpected error; the job's next ping resumes it", Plan.Index, Plan.JobId);
            await TryCheckpointAsync();
        }
    }

    /// <summary>
    /// Every item task ends accounted for: an unexpected error (a bug, not an item's or a transient one) is logged and
    /// leaves the items pending, so the partition's next run retries them instead of the task faulting unobserved.
    /// </summary>
    private async Task GuardAsync(List<int> locals, Func<Task> work)
    {
        try { await work(); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            log.LogError(e, "Job {Job} items {First}..{Last} hit an unexpected error; they stay pending and are retried when the partition runs again",
                Plan.JobId, Plan.Start + locals[0], Plan.Start + locals[^1]);
        }
    }

    private async Task ProcessItemAsync(PartitionItems items, int local, CancellationToken ct)
    {
        var output = items.OutputOf(local);
        var index = items.IndexOf(local);
        var sw = Stopwatch.StartNew();
        // The item's trace: its stage calls (and their hops to other silos) are children of this span.
        var span = GridTracing.StartItem("item", Plan.JobId, index, Plan.Index);
        _inFlight++;
        (string? Error, bool Transient) outcome;
        try
        {
            outcome = await WithRetriesAsync([local], async () =>
            {
                // Written before a restart whose checkpoint did not record it: done, not redone — if it is this item's.
                if (_resumed && await AcceptStoredAsync(local, index, output, ct)) return;
                var first = Router.Pick(FirstStage);
                var route = new ItemRoute(Plan.JobId, index, Router.KeyOf(Router.PickNear(StageNames.Decoder, first)), output,
                    Plan.Generate?.OutputSize, Plan.Priority);
                var receipt = Plan.Generate is { } g
                    ? await Router.CallOnAsync(StageNames.Diffusion, first, (IDiffusionStageGrain stage) =>
                        stage.GenerateRouted(DiffusionItemOf(items, local, g.Seed, index, first), route, ct))
                    : await Router.CallOnAsync(StageNames.Encoder, first, (IEncoderStageGrain stage) =>
                        stage.EncodeRouted(new ImageSource(items.InputOf(local), null, items.SourceOf(local)), route, ct));
                S.Record(local, receipt.Sha256, receipt.Producer);
            }, ct);
        }
        finally { _inFlight--; }
        GridTracing.End(span, outcome.Error);
        await SettleAsync([local], outcome.Error is null ? null : [outcome.Error], sw.Elapsed.TotalSeconds, outcome.Transient);
    }

    /// <summary>Whether the object stored under <paramref name="output"/> is this item's (then it is recorded as its output).</summary>
    private async Task<bool> AcceptStoredAsync(int local, long index, string output, CancellationToken ct)
    {
        if (await store.GetAsync(output, ct) is not { } bytes) return false;
        if (OutputProvenance.ProducerOfItemPng(bytes, Plan.JobId, index) is not { } producer)
        {
            log.LogWarning("Job {Job} item {Index}: '{Output}' is stored but is not this item's output; redoing it", Plan.JobId, index, output);
            return false;
        }
        S.Record(local, OutputProvenance.Sha256(bytes), producer);
        return true;
    }

    /// <summary>An encode job's shard: encoded and stored by an encoder stage in one call (the unit of completion).</summary>
    private async Task ProcessShardAsync(PartitionItems items, List<int> locals, CancellationToken ct)
    {
        var shardName = items.OutputOf(locals[0]);
        var sw = Stopwatch.StartNew();
        var span = GridTracing.StartItem("shard", Plan.JobId, items.IndexOf(locals[0]), Plan.Index);
        _inFlight += locals.Count;
        string?[]? errors = null;
        (string? Error, bool Transient) outcome;
        try
        {
            var request = new ShardRequest(Plan.JobId, Plan.BundleId, shardName, locals.Select(i => (long)items.IndexOf(i)).ToArray(),
                locals.Select(i => new ImageSource(items.InputOf(i), null, items.SourceOf(i))).ToArray(), Plan.Priority);
            outcome = await WithRetriesAsync(locals, async () =>
            {
                // A shard stored before a restart counts only for the items it lists, and only if every pending one is there.
                if (_resumed && await store.GetAsync(shardName, ct) is { } stored
                    && OutputProvenance.ProducerOfShard(stored, Plan.JobId, request.Indices) is { } producer)
                {
                    var sha = OutputProvenance.Sha256(stored);
                    foreach (var i in locals) S.Record(i, sha, producer);
                    errors = null;
                    return;
                }
                var result = await Router.CallAsync(StageNames.Encoder, (IEncoderStageGrain stage) => stage.EncodeShard(request, ct));
                errors = result.Errors;
                if (result.Receipt is { } r)
                    for (int k = 0; k < locals.Count; k++)
                        if (errors[k] is null) S.Record(locals[k], r.Sha256, r.Producer);
            }, ct);
        }
        finally { _inFlight -= locals.Count; }
        GridTracing.End(span, outcome.Error);
        await SettleAsync(locals, outcome.Error is not null ? locals.Select(_ => outcome.Error).ToArray() : errors, sw.Elapsed.TotalSeconds, outcome.Transient);
    }

    /// <summary>
    /// The diffusion item of generate output <paramref name="local"/>: its class, or its prompt and the text stage to
    /// condition it (on the diffusion silo <paramref name="diffusion"/> when that silo hosts one).
    /// </summary>
    private DiffusionItem DiffusionItemOf(PartitionItems items, int local, long seed, long noiseIndex, StageHost diffusion) =>
        items.PromptOf(local) is { } prompt
            ? new DiffusionItem(-1, seed, noiseIndex, Plan.Generate!.Sampling!, prompt, Router.KeyOf(Router.PickNear(StageNames.Text, diffusion)))
            : new DiffusionItem(items.LabelOf(local), seed, noiseIndex, Plan.Generate!.Sampling!);

    string FirstStage => Plan.Kind == JobKind.Generate ? StageNames.Diffusion : StageNames.Encoder;

    /// <summary>
    /// Runs <paramref name="work"/>, waiting out transient failures (busy stage, silo gone, store or Redis outage) with
    /// backoff — the router passes over the silo that failed — until <see cref="PipelineOptions.ItemRetryDeadline"/>,
    /// counted from this call, so a crash never uses up an item's budget. Returns (null, false) on success, else the
    /// error that failed the items and whether it was transient (the deadline passed). With <paramref name="countFirst"/>
    /// false only retries add to the items' attempts (a later phase of an item whose first attempt was already counted).
    /// </summary>
    private async Task<(string? Error, bool Transient)> WithRetriesAsync(List<int> locals, Func<Task> work, CancellationToken ct,
        bool countFirst = true)
    {
        var since = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            if (attempt > 1 || countFirst) foreach (var i in locals) S.Attempts[i] = (byte)Math.Min(255, S.Attempts[i] + 1);
            try
            {
                await work();
                return (null, false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) when (RetryPolicy.IsRetryable(e))
            {
                var wait = RetryPolicy.Backoff(attempt, P.MaxRetryBackoff);
                if (since.Elapsed + wait > P.ItemRetryDeadline)
                {
                    log.LogWarning("Job {Job} item {Index} failed: still failing after {Seconds:F0} s ({Attempts} attempts, ItemRetryDeadline {Deadline}): {Error}",
                        Plan.JobId, Plan.Start + locals[0], since.Elapsed.TotalSeconds, attempt, P.ItemRetryDeadline, e.Message);
                    return ($"transient failure outlasted ItemRetryDeadline {P.ItemRetryDeadline} ({attempt} attempts): {e.Message}", true);
                }
                // The first attempts and then every tenth: an outage of minutes must not flood the log.
                if (attempt <= 3 || attempt % 10 == 0)
                    log.LogWarning("Job {Job} item {Index} attempt {Attempt} failed ({Error}); retrying in {Wait} ms", Plan.JobId, Plan.Start + locals[0],
                        attempt, e.Message, (int)wait.TotalMilliseconds);
                await Task.Delay(wait, ct);
            }
            catch (Exception e)
            {
                log.LogWarning("Job {Job} item {Index} failed: {Error}", Plan.JobId, Plan.Start + locals[0], e.Message);
                return (e.Message, false);
            }
        }
    }

    /// <summary>Records items as done (no error) or failed, and checkpoints every CheckpointEveryItems items.</summary>
    private async Task SettleAsync(IReadOnlyList<int> locals, string?[]? errors, double seconds, bool transient)
    {
        for (int k = 0; k < locals.Count; k++)
        {
            var i = locals[k];
            S.Seconds[i] = (float)seconds;
            if (errors?[k] is { } error)
            {
                S.Phases[i] = (byte)ItemPhase.Failed;
                // Records and statuses reach clients: no server paths; and the item's name once (stage messages may start with it).
                var message = Access.ClientErrors.Sanitize(error);
                var input = _items!.InputOf(i);
                S.Errors[i] = message.StartsWith(input + ":", StringComparison.Ordinal) ? message : $"{input}: {message}";
                S.Forget(i);
                if (transient) S.Transient.Add(i);
            }
            else S.Phases[i] = (byte)ItemPhase.Done;
        }
        _sinceCheckpoint += locals.Count;
        if (_sinceCheckpoint >= P.CheckpointEveryItems)
        {
            await TryCheckpointAsync();
            await ReportAsync();
        }
        else if (_sinceReport.Elapsed >= ReportInterval) await ReportAsync();
    }

    /// <summary>Writes the item records, then persists the partition as finished and reports its final counts.</summary>
    private async Task FinishAsync(bool report)
    {
        await WriteRecordsAsync(await ItemsAsync(CancellationToken.None));
        S.Finished = true;
        try { await WriteStateAsync(); }
        catch { S.Finished = false; throw; }
        if (report) await ReportAsync();
    }

    private Task WriteRecordsAsync(PartitionItems items) =>
        store.PutAsync(RecordsName, ItemRecords.ToJsonLines(items, S), "application/x-ndjson");

    /// <summary>
    /// Reports to the job. Best effort: a job whose silo is gone or busy gets the counts at the next checkpoint, and its
    /// ping calls <see cref="Run"/>, which reports a finished partition again.
    /// </summary>
    private async Task ReportAsync()
    {
        _sinceReport.Restart();
        try { await GrainFactory.GetGrain<IJobControlGrain>(Plan.JobId).Report(Plan.Index, Progress()); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogDebug("Job {Job} partition {Partition}: report not delivered ({Error}); the job's next ping gets it", Plan.JobId, Plan.Index, e.Message);
        }
    }

    private PartitionProgress Progress()
    {
        int done = 0, failed = 0, cancelled = 0;
        foreach (var p in S.Phases)
            switch ((ItemPhase)p)
            {
                case ItemPhase.Done: done++; break;
                case ItemPhase.Failed: failed++; break;
                case ItemPhase.Cancelled: cancelled++; break;
            }
        var errors = S.Errors.Take(P.StatusErrors).Select(e => new ItemError(Plan.Start + e.Key, _items?.InputOf(e.Key) ?? "", e.Value)).ToArray();
        return new PartitionProgress(done, failed, cancelled, S.Finished ? 0 : _inFlight, S.Finished, errors, S.Redone,
            S.Sampled, S.VerifierCalls, S.Resampled);
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
            _sinceCheckpoint = 0;
        }
        finally { _writeLock.Release(); }
    }
}
