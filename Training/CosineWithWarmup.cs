namespace RAE.Grid.Training;

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
