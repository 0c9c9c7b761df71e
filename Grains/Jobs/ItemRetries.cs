using Microsoft.Extensions.Logging;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The one retry loop every item runner shares: runs an item's work, waiting out transient failures (busy stage, silo
/// gone, store or Redis outage; <see cref="RetryPolicy"/>) with backoff — the router passes over the silo that failed —
/// until <see cref="PipelineOptions.ItemRetryDeadline"/>, counted from this call, so a crash never uses up an item's
/// budget. A non-retryable failure fails the items at once. Every attempt is counted in the <see cref="PartitionLedger"/>.
/// The clock and the wait are injectable, so tests run the whole deadline without waiting.
/// </summary>
public sealed class ItemRetries(PipelineOptions options, PartitionLedger ledger, ILogger log,
    TimeProvider? clock = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? Task.Delay;

    /// <summary>
    /// Runs <paramref name="work"/> for items <paramref name="locals"/> until it succeeds or fails for good. With
    /// <paramref name="countFirst"/> false only retries add to the items' attempts (a later phase of an item whose first
    /// attempt was already counted).
    /// </summary>
    public async Task<ItemOutcome> RunAsync(IReadOnlyList<int> locals, Func<Task> work, CancellationToken ct, bool countFirst = true)
    {
        var started = _clock.GetTimestamp();
        var job = ledger.Plan.JobId;
        var index = ledger.Plan.Start + locals[0];
        for (int attempt = 1; ; attempt++)
        {
            if (attempt > 1 || countFirst) ledger.CountAttempt(locals);
            try
            {
                await work();
                return ItemOutcome.Success;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e) when (RetryPolicy.IsRetryable(e))
            {
                var wait = RetryPolicy.Backoff(attempt, options.MaxRetryBackoff);
                var elapsed = _clock.GetElapsedTime(started);
                if (elapsed + wait > options.ItemRetryDeadline)
                {
                    log.LogWarning("Job {Job} item {Index} failed: still failing after {Seconds:F0} s ({Attempts} attempts, ItemRetryDeadline {Deadline}): {Error}",
                        job, index, elapsed.TotalSeconds, attempt, options.ItemRetryDeadline, e.Message);
                    return new ItemOutcome($"transient failure outlasted ItemRetryDeadline {options.ItemRetryDeadline} ({attempt} attempts): {e.Message}", true);
                }
                // The first attempts and then every tenth: an outage of minutes must not flood the log.
                if (attempt <= 3 || attempt % 10 == 0)
                    log.LogWarning("Job {Job} item {Index} attempt {Attempt} failed ({Error}); retrying in {Wait} ms", job, index,
                        attempt, e.Message, (int)wait.TotalMilliseconds);
                await _delay(wait, ct);
            }
            catch (Exception e)
            {
                log.LogWarning("Job {Job} item {Index} failed: {Error}", job, index, e.Message);
                return new ItemOutcome(e.Message, false);
            }
        }
    }
}
