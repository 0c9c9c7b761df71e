using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>A job's counts from its partitions' reports: status totals, pending, errors in order and paged, best-of-N work.</summary>
public sealed class JobTallyTests
{
    static PartitionProgress Live(int done, int failed, int inFlight, params int[] errors) =>
        new(done, failed, 0, inFlight, false, errors.Select(i => new ItemError(i, $"in-{i}", "bad")).ToArray());

    static PartitionProgress Final(int done, int failed, int cancelled, params int[] errors) =>
        new(done, failed, cancelled, 0, true, errors.Select(i => new ItemError(i, $"in-{i}", "bad")).ToArray());

    [Fact]
    public void Status_adds_live_reports_to_finished_totals_and_a_newer_report_replaces_an_older()
    {
        var state = JobScheduleTests.Running(3);
        var tally = new JobTally(state, new PipelineOptions());
        tally.Finished(0, Final(9, 1, 0, 3));
        tally.Live(1, Live(2, 0, 4));
        tally.Live(1, Live(5, 1, 3, 14)); // replaces the first report of partition 1
        tally.Live(2, Live(1, 0, 2));

        var s = tally.Status("job");
        Assert.Equal((15, 2, 0, 5, 8), (s.Done, s.Failed, s.Cancelled, s.InFlight, s.Pending));
        Assert.Equal((9, 1), (state.FinishedDone, state.FinishedFailed)); // only finished partitions are persisted
        Assert.Equal(new Dictionary<int, int> { [0] = 1 }, state.FailedByPartition);

        tally.Finished(1, Final(9, 1, 0, 14));
        s = tally.Status("job");
        Assert.Equal((19, 2, 2, 7), (s.Done, s.Failed, s.InFlight, s.Pending)); // partition 1's live counts left with it
    }

    [Fact]
    public void Pending_is_never_negative_and_nothing_is_in_flight_unless_running()
    {
        var state = JobScheduleTests.Running(1); // 10 items
        var tally = new JobTally(state, new PipelineOptions());
        tally.Live(0, Live(8, 0, 5)); // a report racing a redo may over-count
        Assert.Equal(0, tally.Status("job").Pending);
        state.State = JobState.Cancelled;
        Assert.Equal(0, tally.Status("job").InFlight);
        Assert.Equal(2, tally.Status("job").Pending);
    }

    [Fact]
    public void An_unknown_job_has_the_unknown_status_of_its_id()
    {
        var tally = new JobTally(new JobGrainState(), new PipelineOptions());
        Assert.Equal(JobStatus.Unknown("nobody"), tally.Status("nobody"), new StatusByValue());
    }

    [Fact]
    public void A_status_shows_the_first_errors_kept_and_the_live_ones_in_index_order_at_most_status_errors()
    {
        var state = JobScheduleTests.Running(3);
        var tally = new JobTally(state, new PipelineOptions { StatusErrors = 3 });
        tally.Finished(2, Final(5, 3, 0, 29, 25, 21));
        tally.Finished(0, Final(8, 2, 0, 7, 2));
        tally.Live(1, Live(3, 1, 0, 11));
        // The job keeps the first StatusErrors failures of finished partitions, as they finished (the rest are paged)...
        Assert.Equal([29, 25, 21], state.FirstErrors.Select(e => e.Index));
        // ...and a status shows those and the running partitions' in index order, StatusErrors of them.
        Assert.Equal([11, 21, 25], tally.Status("job").Errors.Select(e => e.Index));
    }

    [Fact]
    public async Task Error_pages_visit_only_partitions_with_failures_in_order_asking_each_for_its_part_of_the_page()
    {
        var state = JobScheduleTests.Running(4);
        var tally = new JobTally(state, new PipelineOptions());
        tally.Finished(0, Final(7, 3, 0));
        tally.Finished(2, Final(9, 1, 0));
        tally.Finished(1, Final(10, 0, 0));
        tally.Live(3, Live(1, 4, 0));
        var asked = new List<(int Partition, int Skip, int Take)>();
        Task<ItemError[]> Read(int p, int skip, int take)
        {
            asked.Add((p, skip, take));
            var failed = p switch { 0 => 3, 2 => 1, 3 => 4, _ => 0 };
            return Task.FromResult(Enumerable.Range(skip, Math.Max(0, Math.Min(take, failed - skip)))
                .Select(i => new ItemError(p * 10 + i, "x", "bad")).ToArray());
        }

        var page = await tally.ErrorsAsync(2, 4, Read);
        Assert.Equal([2, 20, 30, 31], page.Select(e => e.Index));
        Assert.Equal([(0, 2, 4), (2, 0, 3), (3, 0, 2)], asked);

        asked.Clear();
        Assert.Equal([32, 33], (await tally.ErrorsAsync(6, 10, Read)).Select(e => e.Index));
        Assert.Equal([(3, 2, 10)], asked); // partitions wholly before the offset are skipped unasked
        Assert.Empty(await tally.ErrorsAsync(-5, 0, Read));
    }

    [Fact]
    public async Task An_error_page_is_at_most_max_errors_page()
    {
        var state = JobScheduleTests.Running(1);
        var tally = new JobTally(state, new PipelineOptions());
        tally.Finished(0, Final(0, 5000, 0));
        var take = 0;
        await tally.ErrorsAsync(0, int.MaxValue, (_, _, t) => { take = t; return Task.FromResult(Array.Empty<ItemError>()); });
        Assert.Equal(JobTally.MaxErrorsPage, take);
    }

    [Fact]
    public void Recount_rebuilds_the_totals_from_the_given_partitions_only()
    {
        var state = JobScheduleTests.Running(2);
        var tally = new JobTally(state, new PipelineOptions());
        tally.Finished(0, Final(10, 0, 0));
        tally.Finished(1, Final(8, 2, 0, 13, 15));
        tally.Finished(1, Final(8, 2, 0, 13, 15)); // counted twice along the way
        tally.Recount([new(1, Final(9, 1, 0, 15) with { Redone = 1 }), new(0, Final(10, 0, 0))]);
        Assert.Equal((19, 1, 1), (state.FinishedDone, state.FinishedFailed, state.FinishedRedone));
        Assert.Equal([15], state.FirstErrors.Select(e => e.Index));
        Assert.Equal(new Dictionary<int, int> { [1] = 1 }, state.FailedByPartition);
    }

    [Fact]
    public void A_best_of_n_status_counts_candidates_scores_and_ode_steps()
    {
        var state = JobScheduleTests.Running(2, JobKind.Generate);
        state.Generate = new GenerateSpec([1, 2], 5, 7, new SamplingSpec(Steps: 10), BestOf: new BestOfSpec(4, 2, "probe@1"));
        var tally = new JobTally(state, new PipelineOptions());
        tally.Finished(0, Final(10, 0, 0) with { Sampled = 20, VerifierCalls = 20, Resampled = 1 });
        tally.Live(1, Live(4, 0, 2) with { Sampled = 8, VerifierCalls = 6 });
        var b = tally.Status("job").BestOf!;
        Assert.Equal((4, 2, "probe@1", 10L), (b.N, b.Keep, b.Verifier, b.Items));
        Assert.Equal((28L, 26L, 1L, 14L, 280L), (b.CandidatesSampled, b.VerifierCalls, b.Resampled, b.Decodes, b.DiffusionSteps));
        Assert.Null(new JobTally(JobScheduleTests.Running(1), new PipelineOptions()).Status("job").BestOf);
    }

    /// <summary>Statuses compared field by field (records compare arrays by reference).</summary>
    sealed class StatusByValue : IEqualityComparer<JobStatus>
    {
        public bool Equals(JobStatus? a, JobStatus? b) => a is not null && b is not null
            && a with { Errors = [] } == b with { Errors = [] } && a.Errors.SequenceEqual(b.Errors);
        public int GetHashCode(JobStatus s) => s.JobId.GetHashCode();
    }
}
