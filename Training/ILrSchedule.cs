namespace RAE.Grid.Training;

/// <summary>A learning rate as a function of the optimizer step (0-based, the step about to be taken).</summary>
public interface ILrSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/>.</summary>
    double At(long step);
}
