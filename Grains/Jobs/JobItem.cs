using MessagePack;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// One item of a job's plan. Inputs are stored names (inline images are written to the store when the job starts),
/// so the persisted state stays small: a 10,000-item job is a few hundred KB of MessagePack.
/// </summary>
[MessagePackObject]
public sealed class JobItem
{
    [Key(0)] public int Index { get; set; }
    /// <summary>What the item came from, for people: the image's name or "class 3".</summary>
    [Key(1)] public string Input { get; set; } = "";
    /// <summary>Store name of the input image (reconstruct/encode).</summary>
    [Key(2)] public string? Source { get; set; }
    /// <summary>Class label (generate).</summary>
    [Key(3)] public int Label { get; set; }
    [Key(4)] public ItemPhase Phase { get; set; }
    [Key(5)] public int Attempts { get; set; }
    /// <summary>Store name of the output (PNG, or the shard holding the latent).</summary>
    [Key(6)] public string? Output { get; set; }
    [Key(7)] public string? Error { get; set; }
    [Key(8)] public double Seconds { get; set; }
}
