using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Imaging;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>Partitions as a job plans them, with a real local store in a temp folder (deleted on dispose).</summary>
public sealed class PartitionFixtures : IDisposable
{
    public const string Job = "job-1";

    public PartitionFixtures() => Store = new LocalDirectoryStore(Path.Combine(Path.GetTempPath(), "rae-partition-" + Guid.NewGuid().ToString("N")));

    public LocalDirectoryStore Store { get; }

    /// <summary>Generate partition 0 of <paramref name="count"/> outputs from job-wide index <paramref name="start"/>: classes 3 then 5, four each.</summary>
    public static PartitionPlan Generate(int count = 8, int start = 0, BestOfSpec? bestOf = null) =>
        new(Job, JobKind.Generate, "tiny", $"jobs/{Job}", 0, start, count, new GenerateSpec([3, 5], bestOf is null ? 4 : 2, 1, BestOf: bestOf), 0, null);

    /// <summary>Reconstruct partition 1 (items from 10) of the named images, its plan file stored as the job writes it.</summary>
    public async Task<PartitionPlan> ReconstructAsync(params string[] names)
    {
        var inputs = $"jobs/{Job}/plan/part-00001.tsv";
        await Store.PutAsync(inputs, System.Text.Encoding.UTF8.GetBytes(string.Join("\n", names.Select(n => InputList.Line(n, "uploads/" + n))) + "\n"),
            InputList.ContentType);
        return new(Job, JobKind.Reconstruct, "tiny", $"jobs/{Job}", 1, 10, names.Length, null, 0, inputs);
    }

    /// <summary>Encode partition 0 of <paramref name="count"/> images in shards of <paramref name="shardSize"/>.</summary>
    public async Task<PartitionPlan> EncodeAsync(int count, int shardSize)
    {
        var plan = (await ReconstructAsync(Enumerable.Range(0, count).Select(i => $"img{i}.png").ToArray())) with { Index = 0, Start = 0 };
        return plan with { Kind = JobKind.Encode, ShardSize = shardSize };
    }

    public Task<PartitionItems> ItemsAsync(PartitionPlan plan) => PartitionItems.LoadAsync(plan, Store, CancellationToken.None);

    /// <summary>A new partition's ledger over <paramref name="plan"/>.</summary>
    public static PartitionLedger Planned(PartitionPlan plan, PipelineOptions? options = null, TimeProvider? clock = null)
    {
        var ledger = new PartitionLedger(new PartitionState(), options ?? new PipelineOptions(), clock);
        ledger.Resume();
        Assert.True(ledger.TakePlan(plan));
        return ledger;
    }

    /// <summary>The state as grain storage writes it (a checkpoint) …</summary>
    public static byte[] Checkpoint(PartitionLedger ledger)
    {
        var bytes = new MessagePackGrainStorageSerializer().Serialize(ledger.State).ToArray();
        ledger.Checkpointed();
        return bytes;
    }

    /// <summary>… and a new activation's ledger over it, resumed.</summary>
    public static PartitionLedger Resume(byte[] checkpoint, PipelineOptions? options = null)
    {
        var ledger = new PartitionLedger(new MessagePackGrainStorageSerializer().Deserialize<PartitionState>(new BinaryData(checkpoint)),
            options ?? new PipelineOptions());
        ledger.Resume();
        return ledger;
    }

    /// <summary>A real PNG as a decoder stage stores it: tagged as <paramref name="job"/>'s item <paramref name="item"/>.</summary>
    public static byte[] ItemPng(string job, long item, string producer = "silo-a/cpu/fp32", int seed = 1) =>
        OutputProvenance.TagPng(ImageIO.EncodePng(rand(new long[] { 3, 4, 4 }, generator: manual_seed(seed))), job, item, producer);

    public void Dispose()
    {
        try { Directory.Delete(Store.Root, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
