namespace RAE.Grid.Grains.Configuration;

/// <summary>
/// The elastic-scaling target of one stage ("Grid:Scaling:&lt;stage&gt;"), Ray Serve's autoscaling config in queue time:
/// each replica should hold about <see cref="TargetQueueSeconds"/> of work, with between <see cref="MinReplicas"/> and
/// <see cref="MaxReplicas"/> replicas in the cluster. See <see cref="Operations.ReplicaScaling"/> for the formula.
/// </summary>
public sealed class ScalingOptions
{
    /// <summary>Largest <see cref="MaxReplicas"/> accepted.</summary>
    public const int ReplicaLimit = 1000;

    /// <summary>Largest <see cref="TargetQueueSeconds"/> accepted (an hour).</summary>
    public const double MaxTargetQueueSeconds = 3600;

    /// <summary>Seconds of work each replica should have queued (Ray's target_ongoing_requests, as time rather than a count).</summary>
    public double TargetQueueSeconds { get; set; } = 2;

    /// <summary>Fewest replicas the signal asks for (0 allows scaling an idle stage to zero).</summary>
    public int MinReplicas { get; set; } = 1;

    /// <summary>Most replicas the signal asks for.</summary>
    public int MaxReplicas { get; set; } = 16;

    /// <summary>Every problem, each naming its setting under <paramref name="where"/>.</summary>
    public IEnumerable<string> Validate(string where)
    {
        if (!(TargetQueueSeconds > 0 && TargetQueueSeconds <= MaxTargetQueueSeconds))
            yield return $"{where}.TargetQueueSeconds: must be above 0 and at most {MaxTargetQueueSeconds}, got {TargetQueueSeconds}";
        if (MinReplicas < 0) yield return $"{where}.MinReplicas: must be >= 0, got {MinReplicas}";
        if (MaxReplicas < 1 || MaxReplicas > ReplicaLimit) yield return $"{where}.MaxReplicas: must be between 1 and {ReplicaLimit}, got {MaxReplicas}";
        if (MinReplicas > MaxReplicas) yield return $"{where}.MinReplicas: {MinReplicas} is above MaxReplicas {MaxReplicas}";
    }
}
