using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grid.Tests.BadInput;

/// <summary>
/// A running batch's token is cancelled when, and only when, every request in it is cancelled, so a model that checks
/// it (the ODE sampler between steps) stops work that nobody waits for, and never stops work someone still waits for.
/// </summary>
public sealed class BatchCancellationTests
{
    [Fact]
    public async Task A_running_batch_is_cancelled_once_all_its_requests_are_and_not_before()
    {
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        // The batch waits for its token or for the test's release, as a solve checks its token between steps.
        await using var batcher = new StageBatcher<int, int>("test/cancel", new BatchingOptions { MaxBatch = 2, MaxWaitMs = 60_000 },
            (items, token) =>
            {
                started.TrySetResult(token);
                WaitHandle.WaitAny([token.WaitHandle, release.WaitHandle]);
                token.ThrowIfCancellationRequested();
                return items.Select(i => Result<int>.Ok(i * 10)).ToList();
            });
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var a = batcher.EnqueueAsync(1, first.Token);
        var b = batcher.EnqueueAsync(2, second.Token);
        var batchToken = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        first.Cancel();
        Assert.False(batchToken.IsCancellationRequested, "the batch was cancelled while one of its requests still waited");
        second.Cancel();
        Assert.True(batchToken.IsCancellationRequested, "the batch ran on after every request was cancelled");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        release.Set();
    }

    [Fact]
    public async Task Halting_stops_the_running_batch_and_answers_no_request_so_none_is_failed_by_an_exit()
    {
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = 0;
        await using var batcher = new StageBatcher<int, int>("test/halt", new BatchingOptions { MaxBatch = 1, MaxWaitMs = 0 },
            (items, token) =>
            {
                Interlocked.Increment(ref batches);
                started.TrySetResult(token);
                token.WaitHandle.WaitOne(TimeSpan.FromMinutes(1));
                token.ThrowIfCancellationRequested();
                return items.Select(i => Result<int>.Ok(i)).ToList();
            });
        var running = batcher.EnqueueAsync(1);
        var queued = batcher.EnqueueAsync(2);
        var token = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await batcher.HaltAsync(TimeSpan.FromSeconds(30));
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(1, batches); // the queued request never ran
        Assert.False(running.IsCompleted, "the halted batch's request was answered");
        Assert.False(queued.IsCompleted, "a queued request was answered");
        await Assert.ThrowsAsync<Contracts.StageBusyException>(() => batcher.EnqueueAsync(3));
    }

    [Fact]
    public async Task A_batch_whose_requests_cannot_be_cancelled_runs_to_its_end()
    {
        CancellationToken seen = default;
        await using var batcher = new StageBatcher<int, int>("test/uncancellable", new BatchingOptions { MaxBatch = 1, MaxWaitMs = 0 },
            (items, token) => { seen = token; return items.Select(i => Result<int>.Ok(i + 1)).ToList(); });
        Assert.Equal(8, await batcher.EnqueueAsync(7));
        Assert.False(seen.IsCancellationRequested);
    }
}
