namespace RAE.Grid.Training.Mae;

/// <summary>What <see cref="MaePretraining.Run"/> did.</summary>
/// <param name="EncoderDirectory">the exported folder (<c>config.json</c> + <c>model.safetensors</c>).</param>
/// <param name="ConfigPath">the exported config.</param>
/// <param name="WeightsPath">the exported weights (<c>vit.*</c> + <c>decoder.*</c>).</param>
/// <param name="StartStep">the step this run started from (0, or where the checkpoint left off).</param>
/// <param name="Steps">the total steps done (the run's end step).</param>
/// <param name="Losses">this run's per-step losses, in order.</param>
/// <param name="MillisecondsPerStep">mean wall time of this run's steps (0 when none ran).</param>
public sealed record MaePretrainingResult(string EncoderDirectory, string ConfigPath, string WeightsPath,
    long StartStep, long Steps, IReadOnlyList<double> Losses, double MillisecondsPerStep);
