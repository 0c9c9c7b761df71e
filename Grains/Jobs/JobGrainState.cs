using MessagePack;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

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
    // Keys 9-16 held the generate settings as flat fields before they became the one Generate object (key 22).
    [Key(17)] public int ShardSize { get; set; } = 256;
    [Key(18)] public List<JobItem> Items { get; set; } = new();
    [Key(19)] public string? Manifest { get; set; }
    [Key(20)] public string? ContactSheet { get; set; }
    /// <summary>Fingerprint of the request, so a repeated Start with the same request is idempotent.</summary>
    [Key(21)] public string RequestFingerprint { get; set; } = "";
    /// <summary>
    /// A generate job's settings as one object, its sampling resolved against the bundle when the job started (what
    /// every item samples and the manifest records); null for other kinds.
    /// </summary>
    [Key(22)] public GenerateSpec? Generate { get; set; }
}
