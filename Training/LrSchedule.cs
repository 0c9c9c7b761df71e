using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>A learning rate as a function of the optimizer step (0-based, the step about to be taken).</summary>
public interface ILrSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/>.</summary>
    double At(long step);
}

/// <summary>
/// Linear warmup from 0 over <c>warmupSteps</c>, then a cosine from <c>baseLr</c> down to <c>finalLr</c> at
/// <c>totalSteps</c> (flat after): the official stage-1 shape (1-epoch warmup, 2e-4 → 2e-5 over 16 epochs) and MAE's.
/// </summary>
public sealed record CosineWithWarmup(double BaseLr, long WarmupSteps, long TotalSteps, double FinalLr) : ILrSchedule
{
    /// <inheritdoc/>
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseLr * step / WarmupSteps;
        if (step >= TotalSteps) return FinalLr;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return FinalLr + 0.5 * (BaseLr - FinalLr) * (1 + Math.Cos(Math.PI * progress));
    }
}

/// <summary>
/// The official stage-2 <c>linear</c> schedule: <c>baseLr</c> held for <c>constantSteps</c> (its "warmup_epochs"
/// are not a ramp from 0), then linear decay to <c>finalLr</c> at <c>decayEndStep</c>, flat after.
/// </summary>
public sealed record ConstantThenLinear(double BaseLr, long ConstantSteps, long DecayEndStep, double FinalLr) : ILrSchedule
{
    /// <inheritdoc/>
    public double At(long step)
    {
        if (step < ConstantSteps) return BaseLr;
        if (step >= DecayEndStep) return FinalLr;
        double progress = (double)(step - ConstantSteps) / Math.Max(1, DecayEndStep - ConstantSteps);
        return BaseLr + (FinalLr - BaseLr) * progress;
    }
}

/// <summary>Helpers for schedules.</summary>
public static class LrSchedules
{
    /// <summary>Sets every parameter group's learning rate.</summary>
    public static void Apply(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
