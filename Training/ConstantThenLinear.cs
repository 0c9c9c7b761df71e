namespace RAE.Grid.Training;

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
