using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>What a finished partition does when its audit finds outputs the store lost: redo them a few rounds, then fail them saying so.</summary>
public sealed class PartitionAuditTests : IDisposable
{
    private readonly PartitionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>A finished partition whose every output is stored, as the decoder stage wrote it and the ledger recorded it.</summary>
    private async Task<(PartitionLedger Ledger, PartitionItems Items)> FinishedAsync(int count, int maxAuditRounds)
    {
        var plan = PartitionFixtures.Generate(count);
        var ledger = PartitionFixtures.Planned(plan, new PipelineOptions { MaxAuditRounds = maxAuditRounds });
        var items = await _f.ItemsAsync(plan);
        for (int i = 0; i < count; i++)
        {
            var png = PartitionFixtures.ItemPng(PartitionFixtures.Job, items.IndexOf(i), seed: i);
            await _f.Store.PutAsync(items.OutputOf(i), png, "image/png");
            ledger.Record(i, OutputProvenance.Sha256(png), "silo-a/cpu/fp32");
        }
        ledger.Settle(items, Enumerable.Range(0, count).ToList(), null, 1, false);
        ledger.Finished = true;
        return (ledger, items);
    }

    [Fact]
    public async Task Outputs_the_store_lost_are_redone_and_counted_in_Redone()
    {
        var (ledger, items) = await FinishedAsync(count: 4, maxAuditRounds: 3);
        await _f.Store.DeleteAsync(items.OutputOf(1));
        // Changed under the same name: not what was written.
        await _f.Store.PutAsync(items.OutputOf(3), PartitionFixtures.ItemPng(PartitionFixtures.Job, items.IndexOf(3), seed: 99), "image/png");

        var lost = await OutputAudit.LostAsync(items, ledger.State, _f.Store, CancellationToken.None);
        Assert.Equal([1, 3], lost);
        Assert.True(ledger.ResolveLost(items, lost));

        Assert.Equal([1, 3], ledger.Pending());
        Assert.False(ledger.Finished);
        Assert.Null(ledger.State.HashOf(1));
        Assert.Null(ledger.State.HashOf(3));
        Assert.NotNull(ledger.State.HashOf(0));
        Assert.Equal(1, ledger.AuditRounds);
        var progress = ledger.Progress(items);
        Assert.Equal((2, 2, false), (progress.Done, progress.Redone, progress.Finished));
    }

    [Fact]
    public async Task After_MaxAuditRounds_rounds_lost_outputs_fail_with_a_message_saying_so()
    {
        var (ledger, items) = await FinishedAsync(count: 2, maxAuditRounds: 2);
        for (int round = 1; round <= 2; round++)
        {
            Assert.True(ledger.ResolveLost(items, [0]));
            ledger.Settle(items, [0], null, 1, false); // redone
            ledger.Finished = true;
        }

        Assert.False(ledger.ResolveLost(items, [0]));

        Assert.Equal(ItemPhase.Failed, ledger.PhaseOf(0));
        Assert.Equal("class 3: the store lost this item's output 2 times after it was written", ledger.State.Errors[0]);
        Assert.Null(ledger.State.HashOf(0));
        Assert.Equal(3, ledger.AuditRounds);
        var progress = ledger.Progress(items);
        // Failing them settles the partition: it stays finished, and only the two redone rounds count as redone.
        Assert.Equal((1, 1, 2, true), (progress.Done, progress.Failed, progress.Redone, progress.Finished));
        Assert.Empty(ledger.Pending());
    }

    [Fact]
    public async Task A_store_that_holds_every_output_as_written_loses_nothing()
    {
        var (ledger, items) = await FinishedAsync(count: 3, maxAuditRounds: 1);
        Assert.Empty(await OutputAudit.LostAsync(items, ledger.State, _f.Store, CancellationToken.None));
    }
}
