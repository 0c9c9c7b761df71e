namespace RAE.Grid.Training.T2I;

/// <summary>
/// What a T2I training run did: the last step, the per-step losses of this invocation (a resumed run reports only the
/// steps it ran), and where the EMA weights were written.
/// </summary>
public sealed record T2ITrainingResult(long Step, IReadOnlyList<double> LmLosses, IReadOnlyList<double> DiffusionLosses, string WeightsPath);
