using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>The final audit's rounds: lost outputs re-open their partitions, and the totals come from the audited partitions alone.</summary>
public sealed class JobAuditTests
{
    static PartitionProgress Final(int done, int failed, int redone = 0) => new(done, failed, 0, 0, true, [], redone);

    [Fact]
    public async Task A_partition_that_lost_outputs_reopens_and_only_it_is_audited_again()
    {
        var state = JobScheduleTests.Running(3);
        var p = new PipelineOptions();
        var (schedule, tally) = (new JobSchedule(state, p), new JobTally(state, p));
        while (schedule.StartNext() is { Count: > 0 } started) foreach (var part in started) schedule.Finish(part);
        // What the partitions reported along the way (partition 1 then lost two outputs in the store).
        foreach (var part in new[] { 0, 1, 2 }) tally.Finished(part, Final(10, 0));
        var audit = new JobAudit(state, schedule, tally);
        var asked = new List<int>();

        var (lost, reopened) = await audit.RoundAsync(part =>
        {
            asked.Add(part);
            return Task.FromResult(part == 1 ? new PartitionAuditResult(2, Final(8, 0), true) : new PartitionAuditResult(0, Final(10, 0), false));
        });
        Assert.Equal(2, lost);
        Assert.Equal([1], reopened);
        Assert.Equal([1], state.Active);
        Assert.False(schedule.AllFinished);
        Assert.Equal(30, state.FinishedDone); // not recounted while a partition runs again

        // Partition 1 redoes its two outputs, reports its new final counts (8 + 2 redone = 10 done), and the job audits again.
        schedule.Finish(1);
        tally.Finished(1, Final(10, 0, redone: 2));
        asked.Clear();
        (lost, reopened) = await audit.RoundAsync(part =>
        {
            asked.Add(part);
            return Task.FromResult(new PartitionAuditResult(0, Final(9, 1, redone: 2), false));
        });
        Assert.Equal([1], asked);
        Assert.Equal((0, 0), (lost, reopened.Count));
        Assert.True(schedule.AllFinished);
        // 40 reported along the way; the audited partitions hold 10 + 9 + 10 done, 1 failed, 2 redone.
        Assert.Equal((29, 1, 2), (state.FinishedDone, state.FinishedFailed, state.FinishedRedone));
        Assert.Equal(new Dictionary<int, int> { [1] = 1 }, state.FailedByPartition);
    }

    [Fact]
    public async Task An_audit_asks_every_partition_at_most_sixteen_at_once()
    {
        var state = JobScheduleTests.Running(40);
        var p = new PipelineOptions();
        var (schedule, tally) = (new JobSchedule(state, p), new JobTally(state, p));
        var audit = new JobAudit(state, schedule, tally);
        var (running, most, asked) = (0, 0, new List<int>());
        await audit.RoundAsync(async part =>
        {
            lock (asked) asked.Add(part);
            var now = Interlocked.Increment(ref running);
            lock (asked) most = Math.Max(most, now);
            await Task.Yield();
            Interlocked.Decrement(ref running);
            return new PartitionAuditResult(0, Final(10, 0), false);
        });
        Assert.Equal(Enumerable.Range(0, 40), asked.Order());
        Assert.InRange(most, 1, JobAudit.Parallelism);
        Assert.Equal(400, state.FinishedDone);
    }
}
