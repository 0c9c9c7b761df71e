using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>A partition's book of items without a cluster: settling, when it checkpoints and reports, the errors clients see, its counts.</summary>
public sealed class PartitionLedgerTests : IDisposable
{
    private readonly PartitionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task A_checkpoint_is_due_every_CheckpointEveryItems_settled_items_and_stays_due_until_one_is_written()
    {
        var clock = new ManualClock();
        var plan = PartitionFixtures.Generate(count: 8);
        var ledger = PartitionFixtures.Planned(plan, new PipelineOptions { CheckpointEveryItems = 3 }, clock);
        var items = await _f.ItemsAsync(plan);

        Assert.Equal(SettleStep.None, ledger.Settle(items, [0], null, 1, false));
        Assert.Equal(SettleStep.None, ledger.Settle(items, [1], null, 1, false));
        Assert.Equal(SettleStep.Checkpoint, ledger.Settle(items, [2], null, 1, false));
        // The checkpoint failed (state storage down): the next settle asks again.
        Assert.Equal(SettleStep.Checkpoint, ledger.Settle(items, [3], null, 1, false));
        Assert.Equal(4, ledger.SinceCheckpoint);
        ledger.Checkpointed();
        Assert.Equal(0, ledger.SinceCheckpoint);
        Assert.Equal(SettleStep.None, ledger.Settle(items, [4], null, 1, false));
        // A shard settles several items at once and counts them all.
        Assert.Equal(SettleStep.Checkpoint, ledger.Settle(items, [5, 6], null, 1, false));
    }

    [Fact]
    public async Task Between_checkpoints_a_report_is_due_once_ReportInterval_has_passed_since_the_last()
    {
        var clock = new ManualClock();
        var plan = PartitionFixtures.Generate(count: 8);
        var ledger = PartitionFixtures.Planned(plan, new PipelineOptions { CheckpointEveryItems = 100 }, clock);
        var items = await _f.ItemsAsync(plan);

        clock.Advance(PartitionLedger.ReportInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(SettleStep.None, ledger.Settle(items, [0], null, 1, false));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SettleStep.Report, ledger.Settle(items, [1], null, 1, false));
        ledger.Reported();
        Assert.Equal(SettleStep.None, ledger.Settle(items, [2], null, 1, false));
        clock.Advance(PartitionLedger.ReportInterval);
        Assert.Equal(SettleStep.Report, ledger.Settle(items, [3], null, 1, false));
    }

    [Fact]
    public async Task Settled_items_are_done_or_failed_with_their_seconds_and_a_failed_items_output_is_forgotten()
    {
        var plan = PartitionFixtures.Generate(count: 4);
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);
        ledger.Record(1, new string('a', 64), "silo-a/cpu/fp32");

        ledger.Settle(items, [0, 1], [null, "decoder said no"], 2.5, false);

        Assert.Equal(ItemPhase.Done, ledger.PhaseOf(0));
        Assert.Equal(ItemPhase.Failed, ledger.PhaseOf(1));
        Assert.Equal([2.5f, 2.5f], ledger.State.Seconds[..2]);
        Assert.Null(ledger.State.HashOf(1));
        Assert.Null(ledger.State.ProducerName(1));
        Assert.Empty(ledger.State.Transient);
        Assert.Equal([2, 3], ledger.Pending());
        Assert.False(ledger.AllSettled);
        Assert.Equal(2, ledger.Settled);
    }

    [Fact]
    public async Task An_error_is_sanitised_and_names_the_input_once()
    {
        var plan = await _f.ReconstructAsync("cat.png", "dog.png", "eel.png");
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);

        ledger.Settle(items, [0, 1, 2], [
            "cannot read /var/lib/rae/store/uploads/cat.png: disk full",
            "dog.png: not an image",
            "AccountKey=c2VjcmV0 refused",
        ], 1, false);

        Assert.Equal($"cat.png: cannot read {ClientErrors.PathMark}: disk full", ledger.State.Errors[0]);
        Assert.Equal("dog.png: not an image", ledger.State.Errors[1]);
        Assert.Equal($"eel.png: AccountKey={ClientErrors.SecretMark} refused", ledger.State.Errors[2]);
        Assert.Equal(["cat.png", "dog.png", "eel.png"], ledger.Errors(items, 0, 10).Select(e => e.Input));
        Assert.Equal([11, 12], ledger.Errors(items, 1, 5).Select(e => e.Index));
        Assert.Empty(ledger.Errors(items, 3, 5));
    }

    [Fact]
    public async Task A_transient_failure_is_marked_so_a_resumed_partition_tries_it_again()
    {
        var plan = PartitionFixtures.Generate(count: 8);
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);

        ledger.Settle(items, [2], ["transient failure outlasted ItemRetryDeadline 00:10:00 (40 attempts): stage busy"], 600, true);
        ledger.Settle(items, [5], ["class 5 is not in the bundle"], 0.1, false);

        Assert.Equal([2], ledger.State.Transient);
        Assert.StartsWith("class 3: transient failure", ledger.State.Errors[2]);
        Assert.Equal("class 5: class 5 is not in the bundle", ledger.State.Errors[5]);
    }

    [Fact]
    public async Task Progress_counts_each_phase_and_items_in_flight_until_finished()
    {
        var plan = PartitionFixtures.Generate(count: 4, start: 4);
        var ledger = PartitionFixtures.Planned(plan, new PipelineOptions { StatusErrors = 1 });
        var items = await _f.ItemsAsync(plan);
        ledger.Settle(items, [0], null, 1, false);
        ledger.Settle(items, [1, 2], ["bad", "worse"], 1, false);
        ledger.Begin(2);

        var progress = ledger.Progress(items);
        Assert.Equal((1, 2, 0, 2, false), (progress.Done, progress.Failed, progress.Cancelled, progress.InFlight, progress.Finished));
        // The first StatusErrors failures, with job-wide indices and inputs named.
        Assert.Equal([(5, "class 5", "class 5: bad")], progress.Errors.Select(e => (e.Index, e.Input, e.Message)));
        // Before the items are read the errors still come, without their input.
        Assert.All(ledger.Progress(null).Errors, e => Assert.Equal("", e.Input));

        ledger.End(1);
        ledger.CancelPending();
        ledger.Finished = true;
        progress = ledger.Progress(items);
        Assert.Equal((1, 2, 1, 0, true), (progress.Done, progress.Failed, progress.Cancelled, progress.InFlight, progress.Finished));
        Assert.True(ledger.AllSettled);
    }

    [Fact]
    public void Attempts_are_counted_per_item_and_saturate_at_255()
    {
        var ledger = PartitionFixtures.Planned(PartitionFixtures.Generate(count: 2));
        for (int k = 0; k < 300; k++) ledger.CountAttempt([0]);
        ledger.CountAttempt([1]);
        Assert.Equal(255, ledger.AttemptsOf(0));
        Assert.Equal(1, ledger.AttemptsOf(1));
    }

    [Fact]
    public void A_partition_takes_its_first_plan_only()
    {
        var ledger = PartitionFixtures.Planned(PartitionFixtures.Generate(count: 3));
        Assert.False(ledger.TakePlan(PartitionFixtures.Generate(count: 5)));
        Assert.Equal(3, ledger.Plan.Count);
        Assert.Equal((3, 3, 3, 96, 3), (ledger.State.Phases.Length, ledger.State.Attempts.Length, ledger.State.Seconds.Length,
            ledger.State.Hashes.Length, ledger.State.ProducerOf.Length));
    }
}
