using MessagePack;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>Where one item stands (persisted as a byte).</summary>
public enum ItemPhase : byte { Pending = 0, Done = 1, Failed = 2, Cancelled = 3 }

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

/// <summary>The persisted state of a pipeline (job) grain: its plan and per-item state.</summary>
[MessagePackObject]
public sealed class JobGrainState
{
    [Key(0)] public string JobId { get; set; } = "";
    [Key(1)] public JobKind Kind { get; set; }
    [Key(2)] public string BundleId { get; set; } = "";
    [Key(3)] public JobState State { get; set; } = JobState.Unknown;
    [Key(4)] public string OutputPrefix { get; set; } = "";
    [Key(5)] public DateTimeOffset Created { get; set; }
    [Key(6)] public DateTimeOffset? Finished { get; set; }
    [Key(7)] public string? Message { get; set; }
    [Key(8)] public bool RandomWeights { get; set; }
    [Key(9)] public long Seed { get; set; }
    [Key(10)] public int? Steps { get; set; }
    [Key(11)] public string? Sampler { get; set; }
    [Key(12)] public string? GuidanceMethod { get; set; }
    [Key(13)] public double GuidanceScale { get; set; } = 1.0;
    [Key(14)] public double GuidanceTMin { get; set; }
    [Key(15)] public double GuidanceTMax { get; set; } = 1.0;
    [Key(16)] public int? OutputSize { get; set; }
    [Key(17)] public int ShardSize { get; set; } = 256;
    [Key(18)] public List<JobItem> Items { get; set; } = new();
    [Key(19)] public string? Manifest { get; set; }
    [Key(20)] public string? ContactSheet { get; set; }
    /// <summary>Fingerprint of the request, so a repeated Start with the same request is idempotent.</summary>
    [Key(21)] public string RequestFingerprint { get; set; } = "";

    /// <summary>The guidance settings as a spec (derived from the fields above, so not persisted itself).</summary>
    [IgnoreMember]
    public GuidanceSpec? Guidance => GuidanceMethod is null ? null : new GuidanceSpec(GuidanceMethod, GuidanceScale, GuidanceTMin, GuidanceTMax);
}
