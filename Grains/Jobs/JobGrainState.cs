using MessagePack;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The persisted state of a job grain: the plan (settings, item count, partitioning) and the partitions' progress —
/// which ones run, the totals of finished ones, the first errors — never a per-item list, so it stays the same small
/// size whatever the job's size.
/// </summary>
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
    // Keys 9-16 held the generate settings as flat fields; key 18 the whole item list (before partitions).
    [Key(17)] public int ShardSize { get; set; } = 256;
    [Key(19)] public string? Manifest { get; set; }
    [Key(20)] public string? ContactSheet { get; set; }
    /// <summary>Fingerprint of the request, so a repeated Start with the same request is idempotent.</summary>
    [Key(21)] public string RequestFingerprint { get; set; } = "";
    /// <summary>
    /// A generate job's settings as one object, its sampling resolved against the bundle when the job started (what
    /// every item samples and the manifest records); null for other kinds.
    /// </summary>
    [Key(22)] public GenerateSpec? Generate { get; set; }
    /// <summary>Items in the job.</summary>
    [Key(23)] public int Total { get; set; }
    /// <summary>Items per partition (the last may have fewer).</summary>
    [Key(24)] public int PartitionSize { get; set; }
    /// <summary>Number of partitions (0 only in a state saved before partitions existed).</summary>
    [Key(25)] public int Partitions { get; set; }
    /// <summary>The next partition to start; those below it are running or finished.</summary>
    [Key(26)] public int NextPartition { get; set; }
    /// <summary>Partitions started and not yet finished.</summary>
    [Key(27)] public List<int> Active { get; set; } = new();
    /// <summary>Done items of finished partitions.</summary>
    [Key(28)] public int FinishedDone { get; set; }
    /// <summary>Failed items of finished partitions.</summary>
    [Key(29)] public int FinishedFailed { get; set; }
    /// <summary>Cancelled items of finished partitions.</summary>
    [Key(30)] public int FinishedCancelled { get; set; }
    /// <summary>The first failed items of finished partitions (as many as the status shows).</summary>
    [Key(31)] public List<ItemError> FirstErrors { get; set; } = new();
    /// <summary>Failed items per finished partition, for partitions with any (paging errors visits only those).</summary>
    [Key(32)] public SortedDictionary<int, int> FailedByPartition { get; set; } = new();
    /// <summary>The job's priority (request's <c>Priority</c>): in the stage queues and for admission.</summary>
    [Key(33)] public int Priority { get; set; }
    /// <summary>Outputs of finished partitions redone because the final audit found them missing or changed in the store.</summary>
    [Key(34)] public int FinishedRedone { get; set; }
    /// <summary>The client that submitted the job (null: none, an open grid or a call from inside a silo); it alone, and admins, may read or cancel it.</summary>
    [Key(40)] public string? Owner { get; set; }
    /// <summary>Best-of-N candidates sampled by finished partitions (re-samples included).</summary>
    [Key(41)] public long FinishedSampled { get; set; }
    /// <summary>Latents scored by the verifier stage for finished partitions.</summary>
    [Key(42)] public long FinishedVerifierCalls { get; set; }
    /// <summary>Kept candidates of finished partitions sampled a second time.</summary>
    [Key(43)] public long FinishedResampled { get; set; }

    /// <summary>
    /// Fails a running job saved before jobs were partitioned (one list of every item, whose progress cannot be read any
    /// more), telling its owner to submit it again; true when it did.
    /// </summary>
    public bool RetireUnreadable()
    {
        if (State != JobState.Running || Partitions != 0) return false;
        (State, Finished) = (JobState.Failed, DateTimeOffset.UtcNow);
        Message = "this job's state was saved by an older RAE.Grid whose format is no longer read; submit it again";
        return true;
    }

    /// <summary>The plan of partition <paramref name="index"/>.</summary>
    public PartitionPlan PlanOf(int index)
    {
        var start = index * PartitionSize;
        var count = Math.Min(PartitionSize, Total - start);
        var (generate, promptOffset) = (Generate, 0);
        if (Generate is { } g && g.IsPrompted())
        {
            // Only this partition's prompts: a plan (and the partition's activation) stays small however many prompts the job has.
            var perPrompt = g.PerClass * g.OutputsPerItem();
            promptOffset = start / perPrompt;
            generate = g with { Prompts = g.Prompts![promptOffset..((start + count - 1) / perPrompt + 1)] };
        }
        return new PartitionPlan(JobId, Kind, BundleId, OutputPrefix, index, start, count, generate, ShardSize,
            Kind == JobKind.Generate ? null : ItemNames.PlanFile(OutputPrefix, index), Priority, promptOffset);
    }
}
