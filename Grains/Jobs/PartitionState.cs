using MessagePack;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The persisted state of one partition: its plan and, per item, a phase byte, an attempt count and its seconds, plus
/// the errors of failed items. Its size is bounded by the partition size (a few KB for a thousand items), so the cost of
/// a checkpoint per item is the same whatever the size of the job.
/// </summary>
[MessagePackObject]
public sealed class PartitionState
{
    [Key(0)] public PartitionPlan? Plan { get; set; }
    /// <summary>Per item: an <see cref="ItemPhase"/>.</summary>
    [Key(1)] public byte[] Phases { get; set; } = [];
    /// <summary>Per item: attempts so far (saturating at 255).</summary>
    [Key(2)] public byte[] Attempts { get; set; } = [];
    /// <summary>Per item: seconds its last attempt took.</summary>
    [Key(3)] public float[] Seconds { get; set; } = [];
    /// <summary>Failed items' errors, by local index.</summary>
    [Key(4)] public SortedDictionary<int, string> Errors { get; set; } = new();
    /// <summary>Every item settled and the item records are stored.</summary>
    [Key(5)] public bool Finished { get; set; }
}
