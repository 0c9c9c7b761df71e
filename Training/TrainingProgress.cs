namespace RAE.Grid.Training;

/// <summary>
/// One progress report of a training or evaluation loop: which phase, the step out of the total, and the current
/// metrics (loss, lr, ...). Loops report every step through <see cref="IProgress{T}"/>; the CLI draws bars from it.
/// </summary>
public sealed record TrainingProgress(string Phase, long Step, long TotalSteps, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>A report without metrics.</summary>
    public static TrainingProgress Of(string phase, long step, long total) =>
        new(phase, step, total, new Dictionary<string, double>());
}
