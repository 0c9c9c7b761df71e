using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>Which partitions a job runs, in what order, with what window, and what a cancel settles: no cluster, just the rules.</summary>
public sealed class JobScheduleTests
{
    /// <summary>A running job of <paramref name="partitions"/> partitions of 10 items, none started.</summary>
    internal static JobGrainState Running(int partitions, JobKind kind = JobKind.Reconstruct) => new()
    {
        JobId = "job", Kind = kind, BundleId = "tiny", State = JobState.Running, OutputPrefix = "jobs/job",
        Total = partitions * 10, PartitionSize = 10, Partitions = partitions,
    };

    [Theory]
    [InlineData(8, 4, 1024, 32)]      // 4 batches of the cluster's 8 slots
    [InlineData(64, 4, 100, 100)]     // capped by MaxInFlightItems
    [InlineData(0, 4, 1024, 1)]       // no capacity advertised (yet): still one item
    [InlineData(16, 2, 1024, 32)]     // BatchesInFlightPerHost scales it
    [InlineData(int.MaxValue, 4, 500, 500)] // no overflow past the cap
    public void The_window_is_batches_in_flight_per_host_times_cluster_capacity_capped(int capacity, int batchesPerHost, int maxInFlight, int window)
    {
        var schedule = new JobSchedule(Running(4), new PipelineOptions { BatchesInFlightPerHost = batchesPerHost, MaxInFlightItems = maxInFlight });
        Assert.Equal(window, schedule.Window(capacity));
    }

    [Fact]
    public void Each_active_partition_gets_its_share_of_the_window_rounded_up()
    {
        var state = Running(10);
        var schedule = new JobSchedule(state, new PipelineOptions { BatchesInFlightPerHost = 4, ActivePartitions = 3 });
        Assert.Equal(40, schedule.PartitionWindow(10)); // none active yet: the whole window
        schedule.StartNext();
        Assert.Equal(14, schedule.PartitionWindow(10)); // 40 / 3, rounded up
        schedule.Finish(0);
        Assert.Equal(20, schedule.PartitionWindow(10));
        Assert.Equal(1, schedule.PartitionWindow(0));
    }

    [Fact]
    public void The_first_stage_sizes_the_window_diffusion_for_generate_and_encoder_otherwise()
    {
        var p = new PipelineOptions();
        Assert.Equal(StageNames.Diffusion, new JobSchedule(Running(1, JobKind.Generate), p).FirstStage);
        Assert.Equal(StageNames.Encoder, new JobSchedule(Running(1, JobKind.Reconstruct), p).FirstStage);
        Assert.Equal(StageNames.Encoder, new JobSchedule(Running(1, JobKind.Encode), p).FirstStage);
    }

    [Fact]
    public void Partitions_start_in_order_at_most_active_partitions_at_once_and_the_job_finishes_when_all_have()
    {
        var state = Running(5);
        var schedule = new JobSchedule(state, new PipelineOptions { ActivePartitions = 2 });
        Assert.Equal([0, 1], schedule.StartNext());
        Assert.Empty(schedule.StartNext()); // full
        Assert.Equal(2, state.NextPartition);
        Assert.True(schedule.Finish(1));
        Assert.False(schedule.Finish(1)); // a repeated report changes nothing
        Assert.False(schedule.Finish(4)); // nor one from a partition not started
        Assert.Equal([2], schedule.StartNext());
        Assert.Equal([0, 2], state.Active);
        foreach (var p in new[] { 0, 2 }) schedule.Finish(p);
        Assert.False(schedule.AllFinished); // 3 and 4 are still to start
        Assert.Equal([3, 4], schedule.StartNext());
        schedule.Finish(3);
        Assert.False(schedule.AllFinished);
        schedule.Finish(4);
        Assert.True(schedule.AllFinished);
        Assert.Empty(schedule.StartNext());
    }

    [Fact]
    public async Task A_pump_persists_the_partitions_it_starts_before_running_them_and_says_when_all_have_finished()
    {
        var state = Running(3);
        var schedule = new JobSchedule(state, new PipelineOptions { ActivePartitions = 2 });
        var calls = new List<string>();
        Task Run(int p) { calls.Add($"run {p}"); return Task.CompletedTask; }
        Task Persist() { calls.Add($"persist {string.Join(",", state.Active)} next {state.NextPartition}"); return Task.CompletedTask; }

        Assert.False(await schedule.PumpAsync(Run, Persist));
        Assert.Equal(["persist 0,1 next 2", "run 0", "run 1"], calls);
        calls.Clear();
        Assert.False(await schedule.PumpAsync(Run, Persist)); // full: nothing started, nothing written
        Assert.Empty(calls);
        schedule.Finish(0);
        schedule.Finish(1);
        Assert.False(await schedule.PumpAsync(Run, Persist));
        Assert.Equal(["persist 2 next 3", "run 2"], calls);
        schedule.Finish(2);
        Assert.True(await schedule.PumpAsync(Run, Persist));
    }

    [Fact]
    public void A_reopened_partition_is_active_again_once()
    {
        var state = Running(2);
        var schedule = new JobSchedule(state, new PipelineOptions());
        schedule.StartNext();
        schedule.Finish(0);
        schedule.Finish(1);
        schedule.Reopen(1);
        schedule.Reopen(1);
        Assert.Equal([1], state.Active);
        Assert.False(schedule.AllFinished);
    }

    [Fact]
    public async Task A_cancel_settles_running_then_unstarted_partitions_and_counts_their_final_items()
    {
        var state = Running(5);
        var p = new PipelineOptions { ActivePartitions = 2 };
        var (schedule, tally) = (new JobSchedule(state, p), new JobTally(state, p));
        schedule.StartNext();
        schedule.Finish(0);
        tally.Finished(0, new PartitionProgress(10, 0, 0, 0, true, []));
        schedule.StartNext(); // 1 and 2 run
        tally.Live(1, new PartitionProgress(4, 1, 0, 3, false, [new ItemError(12, "b", "bad")]));
        Assert.Equal([1, 2, 3, 4], schedule.Open());

        var asked = new List<int>();
        await schedule.CancelAsync(tally, part =>
        {
            asked.Add(part);
            // Partition 1 settles what it had in flight; the rest never started or had nothing done.
            return Task.FromResult(part == 1
                ? new PartitionProgress(6, 1, 3, 0, true, [new ItemError(12, "b", "bad")])
                : new PartitionProgress(0, 0, 10, 0, true, []));
        });

        Assert.Equal([1, 2, 3, 4], asked.Order());
        Assert.Empty(state.Active);
        Assert.Equal(5, state.NextPartition);
        Assert.True(schedule.AllFinished);
        state.State = JobState.Cancelled;
        var status = tally.Status("job");
        Assert.Equal((16, 1, 33, 0, 0), (status.Done, status.Failed, status.Cancelled, status.InFlight, status.Pending));
        Assert.Equal(50, status.Done + status.Failed + status.Cancelled); // every item accounted for once
        Assert.Equal([12], status.Errors.Select(e => e.Index)); // the live report's copy is gone
    }
}
