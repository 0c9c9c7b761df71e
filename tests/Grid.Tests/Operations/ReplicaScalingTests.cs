using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Operations;

namespace RAE.Grid.Grid.Tests.Operations;

/// <summary>
/// The elastic-scaling formula: desired = clamp(ceil(backlog / (rate × TargetQueueSeconds)), MinReplicas, MaxReplicas),
/// with the no-backlog and no-rate cases, and the Grid:Scaling settings' validation.
/// </summary>
public sealed class ReplicaScalingTests
{
    static readonly ScalingOptions Target = new() { TargetQueueSeconds = 2, MinReplicas = 1, MaxReplicas = 10 };

    [Theory]
    [InlineData(40, 5.0, 1, 4)]    // 40 items at 5/s per replica: 8 s of work, 2 s each → 4 replicas
    [InlineData(41, 5.0, 1, 5)]    // rounded up: a replica short leaves the queue over its target
    [InlineData(10, 5.0, 3, 1)]    // 2 s of work: one replica is enough, whatever runs now
    [InlineData(1000, 5.0, 2, 10)] // capped at MaxReplicas
    [InlineData(1, 1000.0, 4, 1)]  // a trickle keeps the floor
    public void Desired_replicas_hold_the_backlog_at_the_target_queue_time(int backlog, double rate, int current, int desired) =>
        Assert.Equal(desired, ReplicaScaling.Desired(backlog, rate, current, Target));

    [Fact]
    public void Without_backlog_the_signal_asks_for_the_minimum()
    {
        Assert.Equal(1, ReplicaScaling.Desired(0, 5.0, 6, Target));
        Assert.Equal(0, ReplicaScaling.Desired(0, null, 6, new ScalingOptions { MinReplicas = 0 }));
    }

    [Fact]
    public void With_backlog_but_no_measured_rate_the_signal_keeps_the_current_count_and_never_zero()
    {
        Assert.Equal(3, ReplicaScaling.Desired(50, null, 3, Target));
        Assert.Equal(1, ReplicaScaling.Desired(50, null, 0, new ScalingOptions { MinReplicas = 0 }));
        Assert.Equal(1, ReplicaScaling.Desired(50, 0.0, 0, new ScalingOptions { MinReplicas = 0 }));
    }

    [Fact]
    public void Scaling_settings_are_validated_by_name()
    {
        var grid = new GridOptions { Stages = [] };
        grid.Scaling["diffusion"] = new ScalingOptions { TargetQueueSeconds = 0, MinReplicas = 5, MaxReplicas = 2 };
        grid.Scaling["painter"] = new ScalingOptions();
        var problems = grid.Validate();
        Assert.Contains(problems, p => p.StartsWith("Grid.Scaling.diffusion.TargetQueueSeconds: must be above 0"));
        Assert.Contains(problems, p => p.StartsWith("Grid.Scaling.diffusion.MinReplicas: 5 is above MaxReplicas 2"));
        Assert.Contains(problems, p => p.StartsWith("Grid.Scaling: unknown stage 'painter'"));
        Assert.Equal(2, grid.ScalingFor("DIFFUSION").MaxReplicas);
        Assert.Equal(new ScalingOptions().MaxReplicas, grid.ScalingFor("decoder").MaxReplicas);
    }
}
