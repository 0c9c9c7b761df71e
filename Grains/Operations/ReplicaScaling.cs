using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Operations;

/// <summary>
/// The elastic-scaling signal of one stage: how many replicas its backlog calls for, after Ray Serve's
/// target-ongoing-requests autoscaler, with the target in seconds of queued work per replica:
/// <code>
/// desired = clamp(ceil(backlog / (rate × TargetQueueSeconds)), MinReplicas, MaxReplicas)
/// </code>
/// where backlog is the items queued or running at the stage over the cluster and rate is one replica's service rate
/// (items per second of compute, measured over the last <see cref="Stages.ServiceWindow.Length"/>). No backlog: MinReplicas
/// (an idle stage shrinks to its floor). Backlog but no measured rate (no replica finished a batch lately: just started,
/// or stuck): the current count, at least one — the signal does not scale on a guess, and work never asks for zero.
/// </summary>
public static class ReplicaScaling
{
    /// <summary>Desired replicas for <paramref name="backlog"/> items at <paramref name="ratePerReplica"/> items/s each.</summary>
    public static int Desired(int backlog, double? ratePerReplica, int currentReplicas, ScalingOptions target)
    {
        int desired;
        if (backlog <= 0) desired = target.MinReplicas;
        else if (ratePerReplica is not (> 0 and var rate) || double.IsInfinity(rate)) desired = Math.Max(currentReplicas, 1);
        else desired = (int)Math.Min(int.MaxValue, Math.Ceiling(backlog / (rate * target.TargetQueueSeconds)));
        desired = Math.Clamp(desired, target.MinReplicas, target.MaxReplicas);
        return backlog > 0 ? Math.Max(desired, 1) : desired;
    }
}
