using System.Collections.Concurrent;
using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grid.Tests.Batching;

/// <summary>
/// The stage batcher on its own, with a fake forward pass that records each batch. No assertion depends on timing luck:
/// batches are filled by a long MaxWait (so only MaxBatch or a group change can close them) or by a gate that holds the
/// worker, and time bounds are generous upper limits.
/// </summary>
public sealed class StageBatcherTests
{
    static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>A fake stage: result = item × 10, except items in <see cref="Failing"/>; records every batch.</summary>
    sealed class FakeStage
    {
        public readonly ConcurrentQueue<int[]> Batches = new();
        public readonly HashSet<int> Failing = new();
        public ManualResetEventSlim Gate { get; } = new(initialState: true);
        /// <summary>Released once each time a batch starts, before it waits at <see cref="Gate"/>.</summary>
        public SemaphoreSlim Started { get; } = new(0);

        public IReadOnlyList<Result<int>> Run(IReadOnlyList<int> items)
        {
            Started.Release();
            Gate.Wait(Generous);
            Batches.Enqueue(items.ToArray());
            return items.Select(i => Failing.Contains(i)
                ? Result<int>.Fail(new ItemRejectedException($"item {i} is bad"))
                : Result<int>.Ok(i * 10)).ToList();
        }
    }

    static StageBatcher<int, int> Batcher(FakeStage stage, int maxBatch, int maxWaitMs, int queue = 256, Func<int, object>? group = null) =>
        new("test/fake", new BatchingOptions { MaxBatch = maxBatch, MaxWaitMs = maxWaitMs, QueueCapacity = queue }, stage.Run, group);

    /// <summary>
    /// Holds the worker in a batch of one blocker item (-1) so that everything <paramref name="enqueue"/> queues is waiting
    /// before the next batch forms, then releases it; returns the batches after the blocker's.
    /// </summary>
    static async Task<int[][]> RunHeldAsync(FakeStage stage, StageBatcher<int, int> batcher, Func<List<Task<int>>> enqueue)
    {
        stage.Gate.Reset();
        var blocker = batcher.EnqueueAsync(-1, fairnessKey: "blocker");
        Assert.True(await stage.Started.WaitAsync(Generous), "the blocker's batch did not start");
        var tasks = enqueue();
        stage.Gate.Set();
        await Task.WhenAll(tasks.Append(blocker)).WaitAsync(Generous);
        var batches = stage.Batches.ToArray();
        Assert.Equal([-1], batches[0]);
        return batches[1..];
    }

    [Fact]
    public async Task A_small_job_is_not_starved_by_a_large_one()
    {
        var stage = new FakeStage();
        // MaxWait 0: a batch is whatever waits when it forms, and RunHeldAsync makes everything wait before the first.
        await using var batcher = Batcher(stage, maxBatch: 4, maxWaitMs: 0);
        var batches = await RunHeldAsync(stage, batcher, () =>
        [
            .. Enumerable.Range(0, 100).Select(i => batcher.EnqueueAsync(i, fairnessKey: "job-a")),
            .. Enumerable.Range(1000, 3).Select(i => batcher.EnqueueAsync(i, fairnessKey: "job-b")),
        ]);

        // Job B's three items arrived behind 100 of job A's, yet all of them run in the first two batches, alternating with A's.
        Assert.Equal([0, 1000, 1, 1001], batches[0]);
        Assert.Equal([2, 1002, 3, 4], batches[1]);
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 4));
        // Each job's items still run in the order they came.
        var flat = batches.SelectMany(b => b).ToList();
        Assert.Equal(Enumerable.Range(0, 100), flat.Where(i => i < 1000));
        Assert.Equal([1000, 1001, 1002], flat.Where(i => i >= 1000));
        Assert.Equal(104, batcher.Items);
    }

    [Fact]
    public async Task A_higher_priority_job_is_batched_before_earlier_items_of_lower_priority_ones()
    {
        var stage = new FakeStage();
        await using var batcher = Batcher(stage, maxBatch: 4, maxWaitMs: 0);
        var batches = await RunHeldAsync(stage, batcher, () =>
        [
            .. Enumerable.Range(0, 8).Select(i => batcher.EnqueueAsync(i, fairnessKey: "bulk")),
            .. Enumerable.Range(100, 3).Select(i => batcher.EnqueueAsync(i, fairnessKey: "background", priority: -5)),
            .. Enumerable.Range(1000, 6).Select(i => batcher.EnqueueAsync(i, fairnessKey: "urgent", priority: 10)),
        ]);

        // The urgent job's six items, queued last, fill the first batch and a half; then the default-priority job, then the background one.
        Assert.Equal([1000, 1001, 1002, 1003], batches[0]);
        Assert.Equal([1004, 1005, 0, 1], batches[1]);
        Assert.Equal([2, 3, 4, 5], batches[2]);
        Assert.Equal([6, 7, 100, 101], batches[3]);
        Assert.Equal([102], batches[4]);
    }

    [Fact]
    public async Task A_single_job_is_served_first_in_first_out()
    {
        var stage = new FakeStage();
        await using var batcher = Batcher(stage, maxBatch: 4, maxWaitMs: 0);
        var batches = await RunHeldAsync(stage, batcher, () => Enumerable.Range(0, 10).Select(i => batcher.EnqueueAsync(i)).ToList());

        Assert.Equal([4, 4, 2], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Fair_batches_keep_groups_apart_and_leave_other_groups_queued_in_order()
    {
        var stage = new FakeStage();
        // Group = parity. Job A: 0 (even), 1 (odd), 2 (even); job B: 11 (odd), 10 (even).
        await using var batcher = Batcher(stage, maxBatch: 4, maxWaitMs: 0, group: i => i % 2);
        var batches = await RunHeldAsync(stage, batcher, () =>
        [
            .. new[] { 0, 1, 2 }.Select(i => batcher.EnqueueAsync(i, fairnessKey: "job-a")),
            .. new[] { 11, 10 }.Select(i => batcher.EnqueueAsync(i, fairnessKey: "job-b")),
        ]);

        // A's first item opens an even batch that takes B's even item and A's next even one; then B's turn opens an odd batch.
        Assert.Equal([0, 10, 2], batches[0]);
        Assert.Equal([11, 1], batches[1]);
        Assert.Equal(2, batches.Length);
    }

    [Fact]
    public async Task Batches_hold_at_most_MaxBatch_items()
    {
        var stage = new FakeStage();
        // A 10 s wait: only reaching MaxBatch closes a batch early, so 8 items are exactly two full batches.
        await using var batcher = Batcher(stage, maxBatch: 4, maxWaitMs: 10_000);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => batcher.EnqueueAsync(i))).WaitAsync(Generous);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * 10), results);
        Assert.Equal([4, 4], stage.Batches.Select(b => b.Length));
        Assert.Equal(2, batcher.Batches);
        Assert.Equal(8, batcher.Items);
    }

    [Fact]
    public async Task A_partial_batch_is_flushed_after_MaxWait()
    {
        var stage = new FakeStage();
        const int maxWaitMs = 200;
        await using var batcher = Batcher(stage, maxBatch: 16, maxWaitMs: maxWaitMs);
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => batcher.EnqueueAsync(i))).WaitAsync(Generous);

        Assert.Equal(new[] { 0, 10, 20 }, results);
        Assert.Equal(3, stage.Batches.Sum(b => b.Length));
        Assert.All(stage.Batches, b => Assert.True(b.Length < 16));
        // The first item waited for company until its deadline (a lower bound the batcher guarantees; 0.8 absorbs clock granularity).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(maxWaitMs * 0.8), $"flushed after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_StageBusyException()
    {
        var stage = new FakeStage();
        stage.Gate.Reset(); // the worker holds the first batch until released
        await using var batcher = Batcher(stage, maxBatch: 1, maxWaitMs: 0, queue: 2);
        var first = batcher.EnqueueAsync(1);
        var second = batcher.EnqueueAsync(2);

        // Thrown synchronously by EnqueueAsync: no waiting, no timeout.
        var busy = Assert.Throws<StageBusyException>(() => { _ = batcher.EnqueueAsync(3); });
        Assert.Contains("test/fake", busy.Message);
        Assert.Contains("QueueCapacity", busy.Message);

        stage.Gate.Set();
        var results = await Task.WhenAll(first, second).WaitAsync(Generous);
        Assert.Equal(new[] { 10, 20 }, results);
        // Room again once the queue has drained.
        Assert.Equal(40, await batcher.EnqueueAsync(4).WaitAsync(Generous));
    }

    [Fact]
    public async Task Items_of_different_groups_never_share_a_batch()
    {
        var stage = new FakeStage();
        await using var batcher = Batcher(stage, maxBatch: 8, maxWaitMs: 100, group: i => i % 3);
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => batcher.EnqueueAsync(i))).WaitAsync(Generous);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => i * 10), results);
        Assert.Equal(30, stage.Batches.Sum(b => b.Length));
        Assert.All(stage.Batches, b =>
        {
            Assert.InRange(b.Length, 1, 8);
            Assert.Single(b.Select(i => i % 3).Distinct());
        });
    }

    [Fact]
    public async Task One_items_error_does_not_fail_its_batch_mates()
    {
        var stage = new FakeStage();
        stage.Failing.Add(2);
        // Five items, MaxBatch 5 and a 10 s wait: they run as one batch.
        await using var batcher = Batcher(stage, maxBatch: 5, maxWaitMs: 10_000);
        var tasks = Enumerable.Range(0, 5).Select(i => batcher.EnqueueAsync(i)).ToArray();
        await Task.WhenAll(tasks).ContinueWith(_ => { }).WaitAsync(Generous);

        Assert.Equal([5], stage.Batches.Select(b => b.Length));
        var error = await Assert.ThrowsAsync<ItemRejectedException>(() => tasks[2]);
        Assert.Contains("item 2", error.Message);
        foreach (var i in new[] { 0, 1, 3, 4 }) Assert.Equal(i * 10, await tasks[i]);
    }

    [Fact]
    public async Task A_batch_that_throws_fails_only_its_own_items()
    {
        var calls = 0;
        await using var batcher = new StageBatcher<int, int>("test/throwing", new BatchingOptions { MaxBatch = 1, MaxWaitMs = 0 },
            items => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : items.Select(i => Result<int>.Ok(i)).ToList());
        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync(1).WaitAsync(Generous));
        // The worker survives a throwing batch and runs the next one.
        Assert.Equal(2, await batcher.EnqueueAsync(2).WaitAsync(Generous));
        Assert.Equal(0, batcher.Queued);
    }

    [Fact]
    public async Task An_item_cancelled_while_queued_is_not_run()
    {
        var stage = new FakeStage();
        stage.Gate.Reset();
        await using var batcher = Batcher(stage, maxBatch: 1, maxWaitMs: 0);
        var running = batcher.EnqueueAsync(1);
        using var cts = new CancellationTokenSource();
        var queued = batcher.EnqueueAsync(2, cts.Token);
        cts.Cancel();
        stage.Gate.Set();

        Assert.Equal(10, await running.WaitAsync(Generous));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Generous));
        Assert.DoesNotContain(stage.Batches, b => b.Contains(2));
        Assert.Equal(0, batcher.Queued);
    }

    [Fact]
    public async Task DrainAsync_finishes_queued_work_and_later_requests_are_rejected()
    {
        var stage = new FakeStage();
        stage.Gate.Reset();
        var batcher = Batcher(stage, maxBatch: 2, maxWaitMs: 0);
        var tasks = Enumerable.Range(0, 7).Select(i => batcher.EnqueueAsync(i)).ToArray();

        var drain = batcher.DrainAsync(Generous);
        stage.Gate.Set();
        await drain.WaitAsync(Generous);

        // Everything queued before the drain ran to completion.
        Assert.All(tasks, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => i * 10), tasks.Select(t => t.Result));
        Assert.Equal(7, batcher.Items);
        Assert.Equal(0, batcher.Queued);

        var rejected = Assert.Throws<StageBusyException>(() => { _ = batcher.EnqueueAsync(99); });
        Assert.Contains("shutting down", rejected.Message);
        Assert.Equal(0, batcher.Queued);
        await batcher.DisposeAsync();
    }
}
