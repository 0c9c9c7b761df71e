using Microsoft.Extensions.Logging.Abstractions;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>
/// The retry loop every item runner shares, on a clock that moves only by the waits it asks for: outages are waited
/// out until the deadline, bad items fail at once, and every attempt is counted.
/// </summary>
public sealed class ItemRetriesTests
{
    private readonly ManualClock _clock = new();
    private readonly List<TimeSpan> _waits = [];
    private readonly PipelineOptions _options = new() { ItemRetryDeadline = TimeSpan.FromSeconds(10), MaxRetryBackoff = TimeSpan.FromSeconds(1) };
    private readonly PartitionLedger _ledger = PartitionFixtures.Planned(PartitionFixtures.Generate(count: 4));

    private ItemRetries Retries() => new(_options, _ledger, NullLogger.Instance, _clock, (wait, _) =>
    {
        _waits.Add(wait);
        _clock.Advance(wait);
        return Task.CompletedTask;
    });

    [Fact]
    public async Task A_transient_failure_that_outlasts_the_deadline_fails_the_items_as_transient()
    {
        int calls = 0;
        var outcome = await Retries().RunAsync([1, 2], () => { calls++; throw new IOException("store unreachable"); }, CancellationToken.None);

        Assert.True(outcome.Transient);
        Assert.Equal($"transient failure outlasted ItemRetryDeadline 00:00:10 ({calls} attempts): store unreachable", outcome.Error);
        // Backoff doubles from 100 ms to the 1 s cap, so ten seconds hold well over eight attempts, and no wait passes the deadline.
        Assert.True(calls > 8, $"{calls} attempts");
        Assert.Equal(calls - 1, _waits.Count);
        Assert.All(_waits, w => Assert.True(w <= TimeSpan.FromSeconds(1.2), $"waited {w}"));
        Assert.True(_waits.Aggregate(TimeSpan.Zero, (a, w) => a + w) <= _options.ItemRetryDeadline);
        Assert.Equal([0, calls, calls, 0], Enumerable.Range(0, 4).Select(_ledger.AttemptsOf));
    }

    [Fact]
    public async Task A_transient_failure_that_clears_before_the_deadline_succeeds()
    {
        int calls = 0;
        var outcome = await Retries().RunAsync([0], () => ++calls < 3 ? throw new StageBusyException("stage diffusion/x is busy") : Task.CompletedTask,
            CancellationToken.None);

        Assert.Equal(ItemOutcome.Success, outcome);
        Assert.Equal(3, calls);
        Assert.Equal(2, _waits.Count);
        Assert.Equal(3, _ledger.AttemptsOf(0));
    }

    [Fact]
    public async Task A_bad_item_fails_at_once_with_its_own_message()
    {
        var outcome = await Retries().RunAsync([3], () => throw new ArgumentException("class 12 is outside 0..9"), CancellationToken.None);

        Assert.Equal(new ItemOutcome("class 12 is outside 0..9", false), outcome);
        Assert.Empty(_waits);
        Assert.Equal(1, _ledger.AttemptsOf(3));
    }

    [Fact]
    public async Task Without_countFirst_only_retries_add_attempts()
    {
        await Retries().RunAsync([0], () => Task.CompletedTask, CancellationToken.None, countFirst: false);
        Assert.Equal(0, _ledger.AttemptsOf(0));

        int calls = 0;
        await Retries().RunAsync([1], () => ++calls == 1 ? throw new TimeoutException("response timed out") : Task.CompletedTask,
            CancellationToken.None, countFirst: false);
        Assert.Equal(1, _ledger.AttemptsOf(1));
    }

    [Fact]
    public async Task The_deadline_counts_from_this_call_not_from_the_clock_before_it()
    {
        _clock.Advance(TimeSpan.FromHours(1));
        int calls = 0;
        var outcome = await Retries().RunAsync([0], () => ++calls < 5 ? throw new IOException("disk") : Task.CompletedTask, CancellationToken.None);
        Assert.Equal(ItemOutcome.Success, outcome);
        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task Cancelling_the_partition_stops_the_retries()
    {
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Retries().RunAsync([0], () =>
        {
            cancel.Cancel();
            throw new OperationCanceledException(cancel.Token);
        }, cancel.Token));
        Assert.Equal(1, _ledger.AttemptsOf(0));
    }
}
