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
/// One partition of a job: the control plane of its items. It decides each item's route — the first stage's silo, and
/// the decoder on that same silo when it hosts one — and records the outcome; the stages pass the latent between
/// themselves and the decoder writes the PNG. It checkpoints its own small state every few items (so a checkpoint costs
/// the same per item whatever the job's size), reports its counts to the job, writes its item records when every item
/// has settled, and resumes after a restart: an item whose output is already stored is counted done, not redone.
/// Reentrant so the job's calls interleave with the work; all state changes happen on the grain's own turns.
/// </summary>
[Reentrant]
public sealed class PartitionGrain(
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
        if (S.Plan is not null && _sinceCheckpoint > 0) await WriteStateAsync();
    }

    public async Task Run(PartitionPlan plan, int window)
    {
        _window = Math.Max(1, window);
        await EnsurePlannedAsync(plan);
        if (S.Finished) { await ReportAsync(); return; }
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
        await WriteStateAsync();
    }

    private async Task<PartitionItems> ItemsAsync(CancellationToken ct) => _items ??= await PartitionItems.LoadAsync(Plan, store, ct);

    private async Task ProcessAsync(CancellationToken ct)
    {
        try
        {
            var items = await ItemsAsync(ct);
            var pending = Enumerable.Range(0, Plan.Count).Where(i => S.Phases[i] == (byte)ItemPhase.Pending).ToList();
            if (Plan.Kind == JobKind.Encode)
                await WindowedRun.RunAsync(pending.GroupBy(i => items.IndexOf(i) / Plan.ShardSize).ToList(),
                    () => Math.Max(1, _window / Plan.ShardSize), shard => ProcessShardAsync(items, shard.ToList(), ct), ct);
            else
                await WindowedRun.RunAsync(pending, () => _window, i => ProcessItemAsync(items, i, ct), ct);
            if (S.Phases.All(p => p != (byte)ItemPhase.Pending)) await FinishAsync(report: true);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            // The partition stays unfinished; the job's next Run resumes it from the last checkpoint.
            log.LogError(e, "Partition {Partition} of job {Job} paused by an unexpected error; it will resume", Plan.Index, Plan.JobId);
            await WriteStateAsync();
        }
    }

    private async Task ProcessItemAsync(PartitionItems items, int local, CancellationToken ct)
    {
        var output = items.OutputOf(local);
        if (_resumed && await store.ExistsAsync(output, ct))
        {
            // Written before a restart whose checkpoint did not record it: done, not redone.
            await SettleAsync([local], null, 0);
            return;
        }
        var sw = Stopwatch.StartNew();
        _inFlight++;
        string? error;
        try
        {
            error = await WithRetriesAsync([local], async () =>
            {
                var index = items.IndexOf(local);
                var first = Router.Pick(FirstStage);
                var route = new ItemRoute(Plan.JobId, index, Router.KeyOf(Router.PickNear(StageNames.Decoder, first)), output, Plan.Generate?.OutputSize);
                if (Plan.Generate is { } g)
                    await Router.CallOnAsync(StageNames.Diffusion, first, (IDiffusionStageGrain stage) =>
                        stage.GenerateRouted(new DiffusionItem(items.LabelOf(local), g.Seed, index, g.Sampling!), route, ct));
                else
                    await Router.CallOnAsync(StageNames.Encoder, first, (IEncoderStageGrain stage) =>
                        stage.EncodeRouted(new ImageSource(items.InputOf(local), null, items.SourceOf(local)), route, ct));
            }, ct);
        }
        finally { _inFlight--; }
        await SettleAsync([local], error is null ? null : [error], sw.Elapsed.TotalSeconds);
    }

    /// <summary>An encode job's shard: encoded and stored by an encoder stage in one call (the unit of completion).</summary>
    private async Task ProcessShardAsync(PartitionItems items, List<int> locals, CancellationToken ct)
    {
        var shardName = items.OutputOf(locals[0]);
        if (_resumed && await store.ExistsAsync(shardName, ct))
        {
            await SettleAsync(locals, null, 0);
            return;
        }
        var sw = Stopwatch.StartNew();
        _inFlight += locals.Count;
        string?[]? errors = null;
        string? failure;
        try
        {
            var request = new ShardRequest(Plan.JobId, Plan.BundleId, shardName, locals.Select(i => (long)items.IndexOf(i)).ToArray(),
                locals.Select(i => new ImageSource(items.InputOf(i), null, items.SourceOf(i))).ToArray());
            failure = await WithRetriesAsync(locals, async () =>
                errors = await Router.CallAsync(StageNames.Encoder, (IEncoderStageGrain stage) => stage.EncodeShard(request, ct)), ct);
        }
        finally { _inFlight -= locals.Count; }
        await SettleAsync(locals, failure is not null ? locals.Select(_ => failure).ToArray() : errors, sw.Elapsed.TotalSeconds);
    }

    string FirstStage => Plan.Kind == JobKind.Generate ? StageNames.Diffusion : StageNames.Encoder;

    /// <summary>
    /// Runs <paramref name="work"/>, retrying retryable failures with backoff (the router passes over the silo that
    /// failed); returns null on success, else the error that failed the items.
    /// </summary>
    private async Task<string?> WithRetriesAsync(List<int> locals, Func<Task> work, CancellationToken ct)
    {
        while (true)
        {
            foreach (var i in locals) S.Attempts[i] = (byte)Math.Min(255, S.Attempts[i] + 1);
            var attempt = S.Attempts[locals[0]];
            try
            {
                await work();
                return null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && attempt < P.MaxAttempts)
            {
                log.LogWarning("Job {Job} item {Index} attempt {Attempt} failed ({Error}); retrying", Plan.JobId, Plan.Start + locals[0], attempt, e.Message);
                await Task.Delay(RetryPolicy.Backoff(attempt), ct);
            }
            catch (Exception e)
            {
                log.LogWarning("Job {Job} item {Index} failed: {Error}", Plan.JobId, Plan.Start + locals[0], e.Message);
                return e.Message;
            }
        }
    }

    /// <summary>Records items as done (no error) or failed, and checkpoints every CheckpointEveryItems items.</summary>
    private async Task SettleAsync(IReadOnlyList<int> locals, string?[]? errors, double seconds)
    {
        for (int k = 0; k < locals.Count; k++)
        {
            var i = locals[k];
            S.Seconds[i] = (float)seconds;
            if (errors?[k] is { } error)
            {
                S.Phases[i] = (byte)ItemPhase.Failed;
                S.Errors[i] = $"{_items!.InputOf(i)}: {Access.ClientErrors.Sanitize(error)}"; // records and statuses reach clients: no server paths
            }
            else S.Phases[i] = (byte)ItemPhase.Done;
        }
        _sinceCheckpoint += locals.Count;
        if (_sinceCheckpoint >= P.CheckpointEveryItems)
        {
            await WriteStateAsync();
            await ReportAsync();
        }
        else if (_sinceReport.Elapsed >= ReportInterval) await ReportAsync();
    }

    /// <summary>Writes the item records, then persists the partition as finished and reports its final counts.</summary>
    private async Task FinishAsync(bool report)
    {
        var items = await ItemsAsync(CancellationToken.None);
        var records = ItemRecords.ToJsonLines(items, S);
        await store.PutAsync($"{Plan.OutputPrefix}/{ItemNames.RecordsFile(Plan.Index)}", records, "application/x-ndjson");
        S.Finished = true;
        await WriteStateAsync();
        if (report) await ReportAsync();
    }

    private Task ReportAsync()
    {
        _sinceReport.Restart();
        return GrainFactory.GetGrain<IJobControlGrain>(Plan.JobId).Report(Plan.Index, Progress());
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
        return new PartitionProgress(done, failed, cancelled, S.Finished ? 0 : _inFlight, S.Finished, errors);
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
}
