using MessagePack;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The persisted state of one partition: its plan and, per item, a phase byte, an attempt count, its seconds, its
/// output's SHA-256 and producer, plus the errors of failed items (and, for best-of-N, each item's candidate scores). Its size is bounded by the partition size (about 40 KB
/// for a thousand items), so the cost of a checkpoint per item is the same whatever the size of the job.
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
    /// <summary>Per item: the SHA-256 of its stored output (32 bytes each; zeros while unknown).</summary>
    [Key(6)] public byte[] Hashes { get; set; } = [];
    /// <summary>Distinct producers ("silo/device/dtype") of this partition's outputs.</summary>
    [Key(7)] public List<string> Producers { get; set; } = new();
    /// <summary>Per item: 1 + its producer's index in <see cref="Producers"/> (0: unknown).</summary>
    [Key(8)] public byte[] ProducerOf { get; set; } = [];
    /// <summary>Failed items whose last error was transient (their retry deadline passed): retried when the partition resumes.</summary>
    [Key(9)] public SortedSet<int> Transient { get; set; } = new();
    /// <summary>Outputs redone because an audit found them missing or changed in the store.</summary>
    [Key(10)] public int Redone { get; set; }
    /// <summary>Audits that found outputs to redo (bounded by <c>MaxAuditRounds</c>).</summary>
    [Key(11)] public int AuditRounds { get; set; }
    /// <summary>Best-of-N: each item's scored candidates, by the item's (selection group's) job-wide index.</summary>
    [Key(12)] public SortedDictionary<long, CandidateSelection> Selections { get; set; } = new();
    /// <summary>Best-of-N: diffusion solves run (candidates, and kept ones sampled again).</summary>
    [Key(13)] public long Sampled { get; set; }
    /// <summary>Best-of-N: latents scored by the verifier stage.</summary>
    [Key(14)] public long VerifierCalls { get; set; }
    /// <summary>Best-of-N: kept candidates sampled again because their latent was no longer held.</summary>
    [Key(15)] public long Resampled { get; set; }

    /// <summary>Records an output with SHA-256 <paramref name="sha256"/> (hex) made by <paramref name="producer"/> as item <paramref name="local"/>'s.</summary>
    public void Record(int local, string sha256, string producer)
    {
        Convert.FromHexString(sha256).CopyTo(Hashes, local * 32);
        var p = Producers.IndexOf(producer);
        if (p < 0 && Producers.Count < 255) { Producers.Add(producer); p = Producers.Count - 1; }
        ProducerOf[local] = (byte)(p + 1);
    }

    /// <summary>Forgets item <paramref name="local"/>'s output (it is to be redone).</summary>
    public void Forget(int local)
    {
        Array.Clear(Hashes, local * 32, 32);
        ProducerOf[local] = 0;
    }

    /// <summary>Item <paramref name="local"/>'s output hash (hex), or null while unknown.</summary>
    public string? HashOf(int local)
    {
        var h = Hashes.AsSpan(local * 32, 32);
        return h.IndexOfAnyExcept((byte)0) < 0 ? null : Convert.ToHexStringLower(h);
    }

    /// <summary>Item <paramref name="local"/>'s producer, or null while unknown.</summary>
    public string? ProducerName(int local) => ProducerOf[local] is > 0 and var p && p <= Producers.Count ? Producers[p - 1] : null;
}
