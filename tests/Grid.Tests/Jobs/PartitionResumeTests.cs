using Microsoft.Extensions.Logging.Abstractions;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>
/// A partition resumed from its last checkpoint after a crash, without a cluster: the state goes through the grain-storage
/// serializer, and outputs written before the crash sit in a real local store as the stages wrote them.
/// </summary>
public sealed class PartitionResumeTests : IDisposable
{
    private readonly PartitionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task After_a_crash_mid_checkpoint_items_settled_since_the_last_checkpoint_are_pending_again()
    {
        var plan = PartitionFixtures.Generate(count: 8);
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);
        ledger.Settle(items, [0, 1], null, 1, false);
        ledger.Settle(items, [2], ["stage busy"], 600, transient: true);
        ledger.Settle(items, [3], ["class 3 is not in the bundle"], 0.1, transient: false);
        var checkpoint = PartitionFixtures.Checkpoint(ledger);
        // Settled after the checkpoint; the silo dies while the next one is being written.
        ledger.Settle(items, [4, 5], null, 1, false);

        var resumed = PartitionFixtures.Resume(checkpoint);

        Assert.True(resumed.Resumed);
        Assert.False(resumed.Finished);
        Assert.Equal([ItemPhase.Done, ItemPhase.Done], new[] { resumed.PhaseOf(0), resumed.PhaseOf(1) });
        // The transient failure is tried again; the item's own failure is not.
        Assert.Equal([2, 4, 5, 6, 7], resumed.Pending());
        Assert.Equal(ItemPhase.Failed, resumed.PhaseOf(3));
        Assert.Equal([3], resumed.State.Errors.Keys);
        Assert.Empty(resumed.State.Transient);
        Assert.Equal(0, resumed.SinceCheckpoint);
    }

    [Fact]
    public async Task A_finished_partition_keeps_its_transient_failures_on_resume()
    {
        var plan = PartitionFixtures.Generate(count: 2);
        var ledger = PartitionFixtures.Planned(plan);
        ledger.Settle(await _f.ItemsAsync(plan), [0, 1], [null, "stage busy"], 1, transient: true);
        ledger.Finished = true;

        var resumed = PartitionFixtures.Resume(PartitionFixtures.Checkpoint(ledger));

        Assert.Equal(ItemPhase.Failed, resumed.PhaseOf(1));
        Assert.Equal([1], resumed.State.Transient);
        Assert.Empty(resumed.Pending());
    }

    [Fact]
    public void A_state_saved_before_hashes_and_producers_existed_gets_its_arrays_sized_on_resume()
    {
        var old = new PartitionState { Plan = PartitionFixtures.Generate(count: 3), Phases = [1, 0, 2], Attempts = [1, 0, 1], Seconds = [1, 0, 1] };

        var resumed = PartitionFixtures.Resume(new MessagePackGrainStorageSerializer().Serialize(old).ToArray());

        Assert.Equal(3 * 32, resumed.State.Hashes.Length);
        Assert.Equal(3, resumed.State.ProducerOf.Length);
        Assert.Null(resumed.State.HashOf(0));
        resumed.Record(1, new string('b', 64), "silo-b/cuda/bf16");
        Assert.Equal("silo-b/cuda/bf16", resumed.State.ProducerName(1));
    }

    [Fact]
    public void A_new_partition_has_nothing_to_resume()
    {
        var ledger = new PartitionLedger(new PartitionState(), new Grains.Configuration.PipelineOptions());
        ledger.Resume();
        Assert.False(ledger.Resumed);
    }

    [Fact]
    public async Task On_resume_a_stored_output_tagged_as_this_item_is_accepted_and_a_foreign_one_is_redone()
    {
        var plan = PartitionFixtures.Generate(count: 8);
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);
        var checkpoint = PartitionFixtures.Checkpoint(ledger);
        // Before the crash the decoder stored item 0's PNG; item 1's name holds another job's PNG, item 2's the PNG of item 3.
        var mine = PartitionFixtures.ItemPng(PartitionFixtures.Job, 0, producer: "silo-a/cpu/fp32");
        await _f.Store.PutAsync(items.OutputOf(0), mine, "image/png");
        await _f.Store.PutAsync(items.OutputOf(1), PartitionFixtures.ItemPng("job-0", 1), "image/png");
        await _f.Store.PutAsync(items.OutputOf(2), PartitionFixtures.ItemPng(PartitionFixtures.Job, 3), "image/png");
        await _f.Store.PutAsync(items.OutputOf(4), OutputProvenance.Untagged(PartitionFixtures.ItemPng(PartitionFixtures.Job, 4)), "image/png");

        var resumed = PartitionFixtures.Resume(checkpoint);
        var stored = new StoredOutputs(_f.Store, resumed, NullLogger.Instance);

        Assert.True(await stored.AcceptItemAsync(0, items.IndexOf(0), items.OutputOf(0), CancellationToken.None));
        Assert.Equal(OutputProvenance.Sha256(mine), resumed.State.HashOf(0));
        Assert.Equal("silo-a/cpu/fp32", resumed.State.ProducerName(0));
        foreach (var local in new[] { 1, 2, 4, 5 }) // another job's, another item's, untagged, nothing stored
        {
            Assert.False(await stored.AcceptItemAsync(local, items.IndexOf(local), items.OutputOf(local), CancellationToken.None));
            Assert.Null(resumed.State.HashOf(local));
        }
    }

    [Fact]
    public async Task A_partition_that_did_not_resume_accepts_nothing_stored()
    {
        var plan = PartitionFixtures.Generate(count: 2);
        var ledger = PartitionFixtures.Planned(plan);
        var items = await _f.ItemsAsync(plan);
        await _f.Store.PutAsync(items.OutputOf(0), PartitionFixtures.ItemPng(PartitionFixtures.Job, 0), "image/png");

        Assert.False(ledger.Resumed);
        Assert.False(await new StoredOutputs(_f.Store, ledger, NullLogger.Instance).AcceptItemAsync(0, 0, items.OutputOf(0), CancellationToken.None));
        Assert.Null(ledger.State.HashOf(0));
    }

    [Fact]
    public async Task On_resume_a_stored_shard_is_accepted_only_when_it_lists_every_item()
    {
        var plan = await _f.EncodeAsync(count: 4, shardSize: 2);
        var items = await _f.ItemsAsync(plan);
        var resumed = PartitionFixtures.Resume(PartitionFixtures.Checkpoint(PartitionFixtures.Planned(plan)));
        var data = new byte[4 * 2];
        byte[] Shard(params long[] indices) => LatentShard.ToBytes(indices.Select(i => (i, $"img{i}.png", "F32", new long[] { 2 }, data)).ToList(),
            OutputProvenance.ShardMetadata(PartitionFixtures.Job, "tiny", "silo-a/cpu/fp32", indices));
        await _f.Store.PutAsync(items.OutputOf(0), Shard(0, 1), "application/octet-stream");
        await _f.Store.PutAsync(items.OutputOf(2), Shard(2), "application/octet-stream");
        var stored = new StoredOutputs(_f.Store, resumed, NullLogger.Instance);

        Assert.True(await stored.AcceptShardAsync([0, 1], [0, 1], items.OutputOf(0), CancellationToken.None));
        Assert.Equal(resumed.State.HashOf(0), resumed.State.HashOf(1));
        Assert.Equal("silo-a/cpu/fp32", resumed.State.ProducerName(1));
        Assert.False(await stored.AcceptShardAsync([2, 3], [2, 3], items.OutputOf(2), CancellationToken.None));
        Assert.Null(resumed.State.HashOf(2));
    }
}
