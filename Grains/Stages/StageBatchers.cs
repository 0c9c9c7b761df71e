using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's stage batchers: one <see cref="StageBatcher{TIn,TOut}"/> per (stage, bundle, replica), started on first
/// use once its model has loaded on the replica's device (<see cref="GridOptions.DeviceOf"/>; one replica per device
/// entry and instance, each routed like a host of its own), with its own tagged stage metrics. What a batch does with
/// the model is the caller's (the stage kernels); this holds the batchers, reports on them and drains them.
/// </summary>
public sealed class StageBatchers(ModelHost models, GridOptions options, ILogger log, StageMetrics metrics) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Stage, string Bundle, int Replica), Lazy<Task<IStageBatcher>>> _batchers = new();
    private volatile bool _draining;

    GridOptions O => options;

    /// <summary>Batching statistics per (stage, bundle), summed over its replicas: batches and items run so far.</summary>
    public IReadOnlyDictionary<string, (long Batches, long Items)> Statistics =>
        _batchers.Where(kv => kv.Value.IsValueCreated && kv.Value.Value.IsCompletedSuccessfully)
            .GroupBy(kv => $"{kv.Key.Stage}/{kv.Key.Bundle}")
            .ToDictionary(g => g.Key, g => (g.Sum(kv => kv.Value.Value.Result.Batches), g.Sum(kv => kv.Value.Value.Result.Items)));

    /// <summary>Items in the batches <paramref name="stage"/> of <paramref name="bundle"/> is running now, over its replicas (0 when idle or not started).</summary>
    public int Running(string stage, string bundle) =>
        Enumerable.Range(0, O.ReplicaCount).Sum(r => Started(stage, bundle, r)?.Running ?? 0);

    /// <summary>Whether the stages are draining or halted for shutdown (they take no new work).</summary>
    public bool Draining => _draining;

    /// <summary>The stages this silo hosts, by their canonical names.</summary>
    public IEnumerable<string> HostedStages => StageNames.All.Where(O.Hosts);

    /// <summary>The devices this silo's stage replicas run on.</summary>
    public IReadOnlyList<string> Devices => O.DeviceList;

    /// <summary>
    /// Every stage replica of this silo, per hosted stage and registry bundle, in a stable order; one that has not run yet
    /// (its model loads on first use) is listed as not loaded, with zeros.
    /// </summary>
    public IReadOnlyList<StageReplicaReport> Replicas() =>
        (from stage in HostedStages
         from bundle in O.Bundles.Keys.Order(StringComparer.Ordinal)
         from replica in Enumerable.Range(0, O.ReplicaCount)
         let b = Started(stage, bundle, replica)
         select new StageReplicaReport(stage, bundle, replica, O.DeviceOf(replica), b is not null, b?.Waiting ?? 0, b?.Running ?? 0,
             b?.Batches ?? 0, b?.Items ?? 0, b?.Window.ItemsPerSecond ?? 0)).ToList();

    /// <summary>The load of each hosted (stage, bundle): its replicas' backlog, throughput and service rate.</summary>
    public IReadOnlyList<Operations.StageLoad> Loads() =>
        (from stage in HostedStages
         from bundle in O.Bundles.Keys.Order(StringComparer.Ordinal)
         let started = Enumerable.Range(0, O.ReplicaCount).Select(r => Started(stage, bundle, r)).OfType<IStageBatcher>().ToList()
         let rates = started.Select(b => b.Window.ServiceRate).OfType<double>().ToList()
         select new Operations.StageLoad(stage, bundle, O.ReplicaCount, started.Sum(b => b.Queued), started.Sum(b => b.Window.ItemsPerSecond),
             rates.Count == 0 ? null : rates.Average())).ToList();

    private IStageBatcher? Started(string stage, string bundle, int replica) =>
        _batchers.TryGetValue((stage, bundle, replica), out var l) && l.IsValueCreated && l.Value.IsCompletedSuccessfully ? l.Value.Result : null;

    /// <summary>
    /// Throws unless this silo takes work for <paramref name="stage"/> on <paramref name="replica"/> now: a retryable
    /// <see cref="StageBusyException"/> while draining, an <see cref="InvalidOperationException"/> for a stage or replica it does not run.
    /// </summary>
    public void EnsureHosted(string stage, string bundle, int replica = 0)
    {
        if (_draining) throw new StageBusyException($"stage {stage}/{bundle} is draining for shutdown; retry on another silo");
        if (!O.Hosts(stage)) throw new InvalidOperationException($"this silo does not host the {stage} stage (Grid.Stages: {string.Join(",", O.Stages)})");
        if (replica < 0 || replica >= O.ReplicaCount)
            throw new InvalidOperationException($"this silo has no replica {replica} of the {stage} stage (it runs {O.ReplicaCount}: Grid.Devices × Grid.InstancesPerDevice)");
    }

    /// <summary>
    /// The batcher of (<paramref name="stage"/>, <paramref name="bundle"/>, <paramref name="replica"/>), started on first
    /// call: its model loads on the replica's device and <paramref name="run"/> makes the batch function over it; items
    /// share a batch only when <paramref name="group"/> gives them equal keys. A start that fails is forgotten, so the next call tries again.
    /// </summary>
    public async Task<StageBatcher<TIn, TOut>> GetAsync<TIn, TOut>(string stage, string bundle, int replica,
        Func<RaeModel, Func<IReadOnlyList<TIn>, CancellationToken, IReadOnlyList<Result<TOut>>>> run, Func<TIn, object>? group = null)
    {
        EnsureHosted(stage, bundle, replica);
        var lazy = _batchers.GetOrAdd((stage, bundle, replica), key => new Lazy<Task<IStageBatcher>>(async () =>
        {
            var device = O.DeviceOf(key.Replica);
            var model = await models.GetAsync(key.Bundle, device);
            log.LogInformation("Stage {Stage}/{Bundle} ready (batch {Max}, wait {Wait} ms, queue {Queue}; replica {Replica} on {Device})", key.Stage, key.Bundle,
                O.BatchingFor(key.Stage).MaxBatch, O.BatchingFor(key.Stage).MaxWaitMs, O.BatchingFor(key.Stage).QueueCapacity, key.Replica, device);
            if (StandInStage.For(O, key.Stage) is { } standIn)
                log.LogWarning("Stage {Stage}/{Bundle} is a STAND-IN (Grid:StandIn): no forward pass, {Ms} ms per batch, synthetic outputs that are not model outputs",
                    key.Stage, key.Bundle, standIn.ServiceMs);
            var name = key.Replica == 0 ? $"{key.Stage}/{key.Bundle}" : $"{key.Stage}/{key.Bundle}#{key.Replica}";
            return new StageBatcher<TIn, TOut>(name, O.BatchingFor(key.Stage), run(model), group,
                metrics.For(key.Stage, key.Bundle, new("device", O.DeviceOf(key.Replica)), new("replica", key.Replica.ToString())));
        }));
        try { return (StageBatcher<TIn, TOut>)await lazy.Value; }
        catch { _batchers.TryRemove(new KeyValuePair<(string, string, int), Lazy<Task<IStageBatcher>>>((stage, bundle, replica), lazy)); throw; }
    }

    /// <summary>Stops taking new work and waits for queued items to finish (graceful shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        await Task.WhenAll(StartedBatchers().Select(b => b.DrainAsync(timeout)));
        log.LogInformation("Stages drained");
    }

    /// <summary>
    /// For a process about to exit without a graceful shutdown (an embedded silo after Ctrl-C): every stage stops its
    /// running batch at the next ODE step and answers nothing more, so no item is failed by the exit and no model runs
    /// while the process tears down; the items resume from their partitions' checkpoints on the next start.
    /// </summary>
    public async Task HaltAsync(TimeSpan timeout)
    {
        _draining = true;
        await Task.WhenAll(StartedBatchers().Select(b => b.HaltAsync(timeout)));
    }

    private IEnumerable<IStageBatcher> StartedBatchers() =>
        _batchers.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result);

    public async ValueTask DisposeAsync() => await DrainAsync(TimeSpan.FromSeconds(30));
}
